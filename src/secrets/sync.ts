import { createHash } from "node:crypto";
import { DevstackError, UsageError } from "../errors.js";
import { generate } from "./generate.js";
import { displayName, type SecretPlan, type StoredValue } from "./model.js";
import { ALWAYS_READ } from "../project/names.js";
import { Redactor } from "./redact.js";
import type { Change, SecretStore, Snapshot } from "./store.js";

export interface SecretState {
  name: string;
  kind: "generate" | "external" | "derived";
  group: string;
  description: string | null;
  state: "present" | "missing";
  updatedAt: string | null;
}

export function isPresent(snapshot: Snapshot, value: Pick<StoredValue, "group" | "name">): boolean {
  return snapshot[value.group][value.name] !== undefined;
}

/** The state of every secret, by name and kind; never a value. */
export function secretStates(plan: SecretPlan, snapshot: Snapshot): SecretState[] {
  const rows: SecretState[] = plan.stored.map((v) => ({
    name: displayName(v),
    kind: v.kind,
    group: v.group,
    description: v.description ?? null,
    state: isPresent(snapshot, v) ? "present" : "missing",
    updatedAt: snapshot[v.group][v.name]?.updatedAt ?? null,
  }));
  for (const d of plan.derived) {
    const parts = d.from.map((p) => snapshot[p.group][p.name]);
    const complete = parts.every((p) => p !== undefined);
    rows.push({
      name: d.name,
      kind: "derived",
      group: d.from[0]?.group ?? "app",
      description: `${d.description} (from ${d.from.map(displayName).join(", ")})`,
      state: complete ? "present" : "missing",
      updatedAt: complete ? parts.map((p) => p?.updatedAt ?? "").sort().at(-1) ?? null : null,
    });
  }
  return rows;
}

export interface SyncResult {
  created: string[];
  present: string[];
  missingExternal: string[];
  snapshot: Snapshot;
}

type Recipe = NonNullable<StoredValue["recipe"]>;

/**
 * Creates every missing generated value; idempotent, and one value per
 * secret however many runs race. Values are generated before the store is
 * locked (an RSA-4096 key pair takes seconds) and written compare-and-set:
 * under the lock, only those still missing are added, so a run that lost
 * the race keeps the winner's values.
 */
export async function syncSecrets(plan: SecretPlan, store: SecretStore): Promise<SyncResult> {
  await store.ensureGroups?.(ALWAYS_READ);
  const wanted = plan.stored.filter((v) => v.kind === "generate" && v.recipe);
  let snapshot = await store.read();
  const applied: Change[] = [];
  for (let round = 0; round < 5; round++) {
    const missing = wanted.filter((v) => !isPresent(snapshot, v));
    if (missing.length === 0) break;
    const prepared = await Promise.all(missing.map(async (v): Promise<Change> => ({ group: v.group, name: v.name, value: await generate(v.recipe as Recipe) })));
    let unprepared = false;
    const result = await store.update((current) => {
      unprepared = wanted.some((v) => !isPresent(current, v) && !prepared.some((p) => p.group === v.group && p.name === v.name));
      return prepared.filter((p) => !isPresent(current, p));
    });
    snapshot = result.snapshot;
    applied.push(...result.applied);
    if (!unprepared) break;
  }
  const created = applied.map(displayName);
  return {
    created,
    present: plan.stored.filter((v) => isPresent(snapshot, v) && !created.includes(displayName(v))).map(displayName),
    missingExternal: plan.stored.filter((v) => v.kind === "external" && !isPresent(snapshot, v)).map(displayName),
    snapshot,
  };
}

export function setCommand(name: string, profile: string): string {
  return `devstack secrets set ${name} --profile ${profile} < value.txt`;
}

/** What a deploy does after sync: stop, naming the command, while an external secret is missing. */
export function requireExternal(result: SyncResult, profile: string): void {
  if (result.missingExternal.length === 0) return;
  throw new DevstackError(`external secret${result.missingExternal.length > 1 ? "s" : ""} missing in profile ${profile}: ${result.missingExternal.join(", ")}`, {
    fix: result.missingExternal.map((n) => setCommand(n, profile)).join("\n"),
  });
}

function find(plan: SecretPlan, name: string): StoredValue | undefined {
  const derived = plan.derived.find((d) => d.name === name);
  // A derived value is rotated through the part that is secret (the database's or Redis's password).
  const target = derived ? derived.from.find((p) => p.name === "password") : undefined;
  return plan.stored.find((v) => displayName(v) === name || (target && v.group === target.group && v.name === target.name));
}

function unknown(plan: SecretPlan, name: string): UsageError {
  const names = [...plan.stored.map(displayName), ...plan.derived.map((d) => d.name)];
  return new UsageError(`no secret named ${name} is declared`, names.length ? `declared: ${names.join(", ")}` : "declare it under secrets: in devstack.yaml");
}

export async function setSecret(plan: SecretPlan, store: SecretStore, name: string, value: string): Promise<void> {
  const derived = plan.derived.find((d) => d.name === name);
  if (derived) {
    const parts = derived.from.map(displayName);
    // Its password part says what to do instead: rotate what devstack makes, set what lives elsewhere.
    const password = find(plan, name);
    const settable = password !== undefined && (password.kind === "external" || password.login === true);
    throw new UsageError(
      `${name} is composed from ${parts.join(" and ")}; it is not stored itself`,
      password && settable ? `store the password itself: \`${setCommand(displayName(password), "<profile>")}\`` : `make a new password with \`devstack secrets rotate ${name}\``,
    );
  }
  const target = find(plan, name);
  if (!target) throw unknown(plan, name);
  if (target.kind !== "external" && !target.login) {
    throw new UsageError(`${name} is generated by devstack; nobody types it`, `make a new value with \`devstack secrets rotate ${name}\``);
  }
  if (value.length === 0) throw new UsageError(`the value for ${name} is empty; nothing was stored`);
  // Shorter values could not be told apart from ordinary text, so the redactor could not hide them.
  if (value.length < 6) throw new UsageError(`the value for ${name} is shorter than 6 characters; nothing was stored`);
  await store.update(() => [{ group: target.group, name: target.name, value }]);
}

export async function rotateSecret(plan: SecretPlan, store: SecretStore, name: string): Promise<string> {
  const target = find(plan, name);
  if (!target) throw unknown(plan, name);
  if (target.group === "redis" && target.kind === "external") {
    throw new UsageError(`${name} belongs to an external Redis: a new value here would not change its auth token`, `change the auth token there first, then store it: \`${setCommand("redis.password", "<profile>")}\``);
  }
  if (target.group === "database" && !plan.localDatabase) {
    throw new UsageError(`${name} belongs to an external database: a new value here would not change the role there`, `change the role's password in the database first, then store it: \`${setCommand("database.password", "<profile>")}\``);
  }
  if (target.kind !== "generate" || !target.recipe || target.recipe.type === "fixed") {
    throw new UsageError(`${name} is not generated by devstack, so it cannot be rotated here`, `supply the new value with \`${setCommand(name, "<profile>")}\``);
  }
  const value = await generate(target.recipe);
  await store.update(() => [{ group: target.group, name: target.name, value }]);
  return displayName(target);
}

/** Changes whenever any secret is set or rotated; the chart puts it on the pods so the next deploy rolls them. */
export function secretsVersion(snapshot: Snapshot): string {
  const stamps = Object.entries(snapshot).flatMap(([group, entries]) => Object.entries(entries).map(([name, e]) => `${group}/${name}@${e.updatedAt}`));
  return stamps.length === 0 ? "" : createHash("sha256").update(stamps.sort().join("\n")).digest("hex").slice(0, 12);
}

/** Adds every sensitive stored value of the plan to a redactor (a new one unless given). */
export function redactorFor(plan: SecretPlan, snapshot: Snapshot, redactor = new Redactor()): Redactor {
  for (const v of plan.stored) {
    const entry = snapshot[v.group][v.name];
    if (entry && v.sensitive) redactor.add(displayName(v), entry.value);
  }
  return redactor;
}
