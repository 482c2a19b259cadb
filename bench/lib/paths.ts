import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bench/ folder. Every module of the harness sits one level below it (bench/lib, bench/subjects, and the
 * bundled worker in bench/.work), so this holds both under tsx and inside the worker bundle.
 */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Scratch space: the compiled C program, the worker bundle, the lock files of each measurement. */
export const WORK_DIR = path.join(BENCH_DIR, '.work');
/** The repository root. */
export const ROOT_DIR = path.dirname(BENCH_DIR);
