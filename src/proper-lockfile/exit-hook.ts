/**
 * Run `cleanup` when the process exits, or is ended by a catchable signal nobody else handles, as
 * proper-lockfile does through signal-exit (written out here: ~20 lines, no dependency, nothing loaded
 * that the drop-in's users do not already run). A signal handled by the application is left to it: its
 * exit then runs `cleanup` through the 'exit' event. SIGKILL cannot be caught (other drop-in processes see
 * the holder's flock drop instead).
 */
const SIGNALS: NodeJS.Signals[] =
  process.platform === 'win32'
    ? ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']
    : [
        'SIGINT',
        'SIGTERM',
        'SIGHUP',
        'SIGQUIT',
        'SIGABRT',
        'SIGALRM',
        'SIGVTALRM',
        'SIGXCPU',
        'SIGXFSZ',
        'SIGUSR2',
        'SIGTRAP',
        'SIGSYS',
      ];

export function onExit(cleanup: () => void): void {
  let done = false;
  const runOnce = () => {
    if (done) return;
    done = true;
    cleanup();
  };
  process.once('exit', runOnce);
  for (const signal of SIGNALS) {
    const listener = () => {
      // Ours alone: the signal would have ended the process, so clean up and let it end it.
      if (process.listenerCount(signal) > 1) return;
      runOnce();
      process.removeListener(signal, listener);
      process.kill(process.pid, signal);
    };
    try {
      process.on(signal, listener);
    } catch {
      // a signal this platform cannot listen to
    }
  }
}
