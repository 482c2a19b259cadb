import path from 'node:path';

/**
 * Windows' reserved device names: `CON`, `PRN`, `AUX`, `NUL`, `COM0`-`COM9`, `LPT0`-`LPT9` (and the
 * superscript digits), in any case, with or without an extension (`nul.txt`, `CON.lock`: Windows 10 and
 * Wine open the device for those too). Opening one opens the console or a port, not a file.
 */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/** The first component of a Windows path that names a device, or undefined. */
export function reservedWindowsName(file: string): string | undefined {
  const { root } = path.win32.parse(file);
  for (const part of file.slice(root.length).split(/[\\/]/)) {
    const stem = part.split('.')[0]?.replace(/[ .]+$/, '') ?? '';
    if (RESERVED.test(stem)) return part;
  }
  return undefined;
}
