#!/usr/bin/env node
// Story 3: a feed manager CLI whose subscriptions live in a YAML file. `feeds add A & feeds add B` from
// shells, scripts and CI at once: every add is a locked read-modify-write with an atomic write, so no
// feed ever vanishes, and a corrupt file is reported (with line and column), never reset.
//
//   node feeds.js add <url> [title]      node feeds.js update <url> <title>
//   node feeds.js remove <url>           node feeds.js list
//
// The file is $FEEDS_FILE, or ~/.config/feeds-demo/feeds.yaml. Its lock file, feeds.yaml.lock, stays
// next to it for reuse (add `*.lock` to .gitignore).
import { homedir } from 'node:os';
import path from 'node:path';
import { LocksmithError, openStore } from 'locksmith';
import { z } from 'zod';

const Feeds = z.object({
  feeds: z.array(z.object({ url: z.string().url(), title: z.string().optional(), added: z.string() })),
});

/** A user mistake (duplicate, unknown feed): a message and exit code 1, not a stack trace. */
class UsageError extends Error {}

const file = process.env.FEEDS_FILE ?? path.join(homedir(), '.config', 'feeds-demo', 'feeds.yaml');
const store = openStore(file, { schema: Feeds, defaults: { feeds: [] }, timeout: 10_000 });

const commands = {
  async add(url, title) {
    if (!url) throw new UsageError('usage: feeds add <url> [title]');
    await store.update(({ feeds }) => {
      if (feeds.some((feed) => feed.url === url)) throw new UsageError(`already subscribed: ${url}`);
      feeds.push({ url, ...(title ? { title } : {}), added: new Date().toISOString() });
    });
    console.log(`added ${url}`);
  },
  async update(url, title) {
    if (!url || !title) throw new UsageError('usage: feeds update <url> <title>');
    await store.update(({ feeds }) => {
      const feed = feeds.find((f) => f.url === url);
      if (!feed) throw new UsageError(`not subscribed: ${url}`);
      feed.title = title;
    });
    console.log(`updated ${url}`);
  },
  async remove(url) {
    if (!url) throw new UsageError('usage: feeds remove <url>');
    await store.update((draft) => {
      const index = draft.feeds.findIndex((f) => f.url === url);
      if (index < 0) throw new UsageError(`not subscribed: ${url}`);
      draft.feeds.splice(index, 1);
    });
    console.log(`removed ${url}`);
  },
  async list() {
    const { feeds } = await store.read(); // no lock needed: writes are atomic renames
    for (const feed of feeds) console.log(feed.title ? `${feed.url}\t${feed.title}` : feed.url);
  },
};

const [command, ...args] = process.argv.slice(2);
try {
  const run = commands[command];
  if (!run) throw new UsageError('usage: feeds add|update|remove|list ...');
  await run(...args);
} catch (error) {
  if (!(error instanceof UsageError || error instanceof LocksmithError)) throw error;
  // LocksmithErrors say what and where: `feeds.yaml:3:1: invalid YAML: ...`, or who holds the lock.
  console.error(`feeds: ${error.message}`);
  process.exitCode = 1;
}
