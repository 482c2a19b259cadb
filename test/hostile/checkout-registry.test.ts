// Issue 17 rows 2 and 3 for the check-out registry file: `.locksmith/checkouts.json` planted as a FIFO,
// socket, folder, symlink (to a victim's file, and dangling), hard link or mode-000 file; the matrix is
// in checkout-matrix.ts.
import { describe } from 'node:test';
import { killChildrenAfter } from '../helpers/children.js';
import { registerMatrix } from './checkout-matrix.js';

killChildrenAfter();

describe('hostile shared folder: the check-out registry file', { timeout: 600_000 }, () => {
  registerMatrix('checkouts.json');
});
