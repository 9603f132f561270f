// Where a wait on a lock is said when its caller has no onWait of its own.
// A module of its own, with no imports, so the CLI sets it without loading the lock.

let notice: ((text: string) => void) | undefined;

/** The CLI sets its stderr: a run held up by another never waits without a word. */
export function setLockWaitNotice(fn: ((text: string) => void) | undefined): void {
  notice = fn;
}

export function lockWaitNotice(): ((text: string) => void) | undefined {
  return notice;
}
