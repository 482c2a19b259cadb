#!/usr/bin/env node
// One person's step at their own machine: its own process, sharing only the folder with the others.
//   node person.js <folder> <who> checkout <file> [message]
//   node person.js <folder> <who> checkin <file>
//   node person.js <folder> <who> break <file> <reason>
// Prints what happened; exits 1 when refused (the reason names the holder), like the CLI.
import { openCheckouts } from 'locksmith';

const [folder, who, action, file, text] = process.argv.slice(2);
// No option needed: the demo turned read-only-until-checked-out on for the folder (protectAvailable).
const registry = openCheckouts(folder);
const name = who.split('@')[0];

try {
  if (action === 'checkout') {
    await registry.checkout(file, { owner: who, message: text });
    console.log(`${name}: checked out ${file}${text ? ` ("${text}")` : ''}`);
  } else if (action === 'checkin') {
    await registry.checkin(file, { owner: who });
    console.log(`${name}: checked in ${file}`);
  } else if (action === 'break') {
    const { previous } = await registry.breakCheckout(file, { reason: text, by: who });
    console.log(`${name}: broke ${previous.owner.split('@')[0]}'s check-out of ${file} ("${text}")`);
  } else {
    throw new Error(`unknown action ${action}`);
  }
} catch (error) {
  if (!error.code?.startsWith('CHECKOUT_')) throw error;
  console.log(`${name}: refused (${error.code}): ${error.message}`);
  process.exitCode = 1;
}
