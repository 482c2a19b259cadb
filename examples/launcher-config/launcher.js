#!/usr/bin/env node
// A container launcher that locks its config only briefly (story 4):
//   node launcher.js --home <dir> --project <name> [--pull-ms <ms>]
// 1. asks the config module for the configuration (which locks, asks what is missing, writes, unlocks);
// 2. then does the slow work (pulling the image, simulated here by waiting --pull-ms) with no lock held;
// 3. builds the run arguments from the read-only config.
// Questions are read from stdin, one answer per line, so the flow can be scripted.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.js';

const { values } = parseArgs({
  options: {
    home: { type: 'string' },
    project: { type: 'string' },
    'pull-ms': { type: 'string', default: '2000' },
  },
});
if (!values.home || !values.project) {
  console.error('usage: launcher.js --home <dir> --project <name> [--pull-ms <ms>]');
  process.exit(64);
}

const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

async function ask(question, choices) {
  console.log(`${question} (${choices.join(', ')})`);
  const { value, done } = await lines.next();
  if (done) throw new Error('no answer on stdin');
  return value.trim();
}

async function pullImage(image, ms) {
  console.log(`pulling ${image}...`);
  await new Promise((resolve) => setTimeout(resolve, ms));
  console.log(`pulled ${image}`);
}

try {
  const config = await loadConfig({
    home: values.home,
    project: values.project,
    ask,
    knownImages: () => ['debian:12', 'alpine:3', 'ubuntu:24.04'],
    onWait: ({ holder }) =>
      console.log(`waiting for the config lock${holder ? ` (held by pid ${holder.pid})` : ''}`),
  });
  console.log(`config ready: image=${config.image} mounts=${config.mounts.join(',')}`);
  await pullImage(config.image, Number(values['pull-ms']));
  const args = ['run', '--rm', ...config.mounts.flatMap((m) => ['-v', `${m}:${m}`]), config.image];
  console.log(`docker ${args.join(' ')}`);
} catch (error) {
  console.error(`launcher: ${error.message}`);
  process.exitCode = 1;
} finally {
  input.close(); // else an open stdin keeps the process alive
}
