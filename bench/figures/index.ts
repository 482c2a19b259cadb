import { burst } from './burst.js';
import { contended } from './contended.js';
import type { Figure } from './figure.js';
import { idle } from './idle.js';
import { recovery } from './recovery.js';
import { staleRaceFigure } from './stale-race.js';
import { startup } from './startup.js';
import { threadpool } from './threadpool.js';
import { uncontended } from './uncontended.js';

/** Every per-subject figure, in report order. A new figure is one module in this folder and one line here. */
export const FIGURES: readonly Figure[] = [
  uncontended,
  contended(1, 600, 40),
  contended(2, 500, 40),
  contended(4, 500, 40),
  contended(16, 40, 10),
  recovery,
  threadpool,
  idle(16, 5),
  startup,
  burst,
  staleRaceFigure,
];
