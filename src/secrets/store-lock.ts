// The lock machinery lives in src/process/lock.ts, shared with the local stack's lock.
export { acquireLock, LockLostError, sweepDeadTemps, withLock, type HeldLock } from "../process/lock.js";
