// The values of `run`'s options, checked once for both parsers: commander's (run.ts) and the plain one
// that runs a common `run` without loading commander (plain-run.ts).

/** Plain decimal seconds: `Number()` alone would also take `0x10`, `1e3`, `0b1` and ` 5 `. */
const SECONDS = /^\d+(\.\d+)?$|^\.\d+$/;

/** `value` as a number of seconds >= 0, or `undefined` when it is not one. */
export function secondsOf(value: string): number | undefined {
  const seconds = Number(value);
  return SECONDS.test(value) && Number.isFinite(seconds) ? seconds : undefined;
}

/** `value` as an exit status from 0 to 255, or `undefined` when it is not one. */
export function exitStatusOf(value: string): number | undefined {
  const status = Number(value);
  return /^\d+$/.test(value.trim()) && status <= 255 ? status : undefined;
}
