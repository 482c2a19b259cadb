/**
 * What a command may touch of the outside world: its two outputs and the environment. Commands write
 * only through a `Cli`, never to `process.stdout`/`process.stderr` directly, so the rules about
 * terminals (colours, updating lines) live here and in the command files, and nowhere below `src/cli/`.
 */

/** One output of the CLI. */
export interface Output {
  write(text: string): void;
  /** Whether it is a terminal (status lines update in place only there). */
  readonly isTTY: boolean;
  /** Whether to colour: a terminal, `NO_COLOR` unset or empty, and `TERM` not `dumb`. */
  readonly colors: boolean;
  /** The terminal's width, when known. */
  readonly columns: number | undefined;
}

export interface Cli {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: NodeJS.ProcessEnv;
  /** The status `main()` returns. A command's action sets it; 0 unless set. */
  exitCode: number;
}

/** https://no-color.org: a `NO_COLOR` that is present and not empty turns colours off. */
export function wantsColor(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * One of the process's outputs, made on first use: `process.stdout` and `process.stderr` are built when
 * first read (a pipe's is a socket, ~1.5 ms of CPU for the two), and a plain `locksmith run` that gets its
 * locks at once writes nothing.
 */
function output(open: () => NodeJS.WriteStream, env: NodeJS.ProcessEnv): Output {
  let stream: NodeJS.WriteStream | undefined;
  let closed = false;
  const get = (): NodeJS.WriteStream => {
    if (stream) return stream;
    stream = open();
    // A reader that goes away (`locksmith --help | head -1`) is not an error of ours: stop writing to it.
    // Anything else is unexpected and stays loud.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed = true;
    });
    return stream;
  };
  return {
    write: (text) => {
      const to = get();
      if (!closed) to.write(text);
    },
    get isTTY() {
      return get().isTTY === true;
    },
    get colors() {
      return wantsColor(this.isTTY, env);
    },
    get columns() {
      return this.isTTY ? get().columns : undefined;
    },
  };
}

/** The `Cli` of this process: its real stdout, stderr and environment. */
export function processCli(): Cli {
  return {
    stdout: output(() => process.stdout, process.env),
    stderr: output(() => process.stderr, process.env),
    env: process.env,
    exitCode: 0,
  };
}

const STYLES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = keyof typeof STYLES;

/** `text` in `style` when `out` takes colours, else `text` unchanged. */
export function paint(out: Output, style: Style, text: string): string {
  if (!out.colors) return text;
  const [open, close] = STYLES[style];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}
