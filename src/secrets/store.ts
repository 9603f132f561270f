import type { Group } from "./model.js";

interface Entry {
  value: string;
  updatedAt: string;
}

export type Snapshot = Record<Group, Record<string, Entry>>;

/** One group's values by name, as a process environment takes them. */
export function groupValues(snapshot: Snapshot, group: Group): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot[group]).map(([name, entry]) => [name, entry.value]));
}

export interface Change {
  group: Group;
  name: string;
  value: string;
}

/** One interface, one implementation per place secrets live (an encrypted local file, AWS Secrets Manager). */
export interface SecretStore {
  readonly kind: "local" | "aws-secrets-manager";
  /** Where the values live, for humans; never a value. */
  readonly location: string;
  read(): Promise<Snapshot>;
  /**
   * Decides changes from the current values and writes them, as one step
   * under the store's lock, so concurrent runs never both create a value.
   */
  update(decide: (current: Snapshot) => Change[] | Promise<Change[]>): Promise<{ snapshot: Snapshot; applied: Change[] }>;
  /** Makes the groups exist even when empty, where the store keeps groups as separate objects. */
  ensureGroups?(groups: readonly Group[]): Promise<void>;
}

export function emptySnapshot(): Snapshot {
  return { app: {}, database: {}, redis: {}, platform: {} };
}

export function applyChanges(snapshot: Snapshot, changes: Change[], now = new Date().toISOString()): Snapshot {
  const next: Snapshot = { app: { ...snapshot.app }, database: { ...snapshot.database }, redis: { ...snapshot.redis }, platform: { ...snapshot.platform } };
  for (const change of changes) next[change.group][change.name] = { value: change.value, updatedAt: now };
  return next;
}
