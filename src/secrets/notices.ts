// What the store tells a user once, when it creates something they should
// know about (a key to back up, a new store). The CLI's secrets commands
// print these as JSON events with --json; any other caller gets one line on
// stderr. Notices never hold a value or key material.

export interface StoreNotice {
  event: "secret-store-key-created" | "secret-store-created" | "secret-store-key-fallback";
  /** Where the thing lives: a path or a keychain entry. */
  where: string;
  text: string;
}

type Listener = (notice: StoreNotice) => void;

let listener: Listener | undefined;

export function onStoreNotice(next: Listener | undefined): void {
  listener = next;
}

export function notify(notice: StoreNotice): void {
  if (listener) listener(notice);
  else process.stderr.write(`devstack: ${notice.text}\n`);
}
