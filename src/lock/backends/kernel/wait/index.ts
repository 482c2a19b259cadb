export { boundedBarging, forgetWaitEnvironment, queueWaitsAvailable, waitStrategy } from './available.js';
export { HEAD_POLL_MS, IDLE_CHECK_MS, type QueueWaitResult, type WaitFile, waitInQueue } from './wait.js';
export { BARGE_MS, HANDOFF_MS, handedOffRecently, handOff, ticketAge } from './wake.js';
