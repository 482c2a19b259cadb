export { forgetWaitEnvironment, queueWaitsAvailable, strictOrder, waitStrategy } from './available.js';
export { TRUST_MARGIN_MS, watchPredecessor } from './predecessor.js';
export {
  HEAD_POLL_MS,
  IDLE_CHECK_MS,
  type QueueWaitResult,
  WATCHED_CHECK_MS,
  type WaitFile,
  waitInQueue,
} from './wait.js';
export { HANDOFF_MS, handedOffRecently, handOff, TURN_MS, ticketAge, tookAgain } from './wake.js';
