/**
 * The `locksmith` command. The only part of the package that knows about terminals.
 * Commands arrive with later work (run, status, config, checkout); this entry prints help.
 */
export const HELP = `locksmith — cross-process file locks for Node.js

Usage:
  locksmith --help       show this help
  locksmith --version    show the version

Library: import { lock, tryLock, withLock, lockAll, inspect } from 'locksmith'
`;

export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === '--version' || first === '-V') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  process.stderr.write(`locksmith: unknown command "${first}"\n\n${HELP}`);
  return 64;
}
