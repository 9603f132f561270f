import type { ClientBase } from "pg";
import { literal, quoteIdent } from "./sql.js";
import { xid32 } from "./window.js";

// Where an incremental run may start reading. A row committed after a run's
// snapshot with a cursor below its watermark ("late") was written by a
// transaction open at that snapshot. Such a transaction started after the
// moment the activity was read, or is listed in it with its start. A cursor
// only grows, so its rows carry cursors above the largest one committed
// before that start: the "floor" below which nothing late can be. With an
// index on the cursor the next run reads from the floor, not the whole table.

/** Fixed-width UTC timestamps with microseconds: compared as strings, exactly. */
const ISO_UTC = (expr: string) => `to_char((${expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The largest cursor value committed at `at`; every transaction starting later writes above it. */
export interface CursorMark {
  at: string;
  value: string;
}

/** A transaction open longer than the horizon: not waited for, but looked back to once it ends. */
export interface PendingTransaction {
  pid: number;
  since: string;
  /** Its transaction id (64-bit), or a bound below the one it will get: the run after it ends reads rows from here. */
  xid: string;
  /** The floor from before it began; undefined: the run after it ends reads the whole table. */
  floor?: string;
}

export interface OpenTransaction {
  pid: number;
  database: string;
  since: string;
  ageSeconds: number;
  /** Its transaction id, when it has one and this role may see it. */
  xid?: string;
  /** In the exported table's database, so it may write there. */
  ours: boolean;
}

export interface Activity {
  /** Any transaction not listed started after this. */
  readAt: string;
  open: OpenTransaction[];
  /** Clients of this database in a transaction this role may not see (no pg_read_all_stats). */
  hidden: number;
  /** Ids (32-bit) of transactions open in other databases: they cannot write this table. */
  otherXids: string[];
  /** Prepared (two-phase) transactions of this database: their start is unknown. */
  prepared: number;
}

interface ActivityRow {
  read_at: string;
  hidden: number;
  prepared: number;
  other_xids: string[];
  open: { pid: number; database: string | null; since: string; age: number; xid: string | null; ours: boolean }[];
}

// Other exports' transactions are read-only: they never write late rows. A
// session this role may not see is only counted when it is a client's (it
// has a user; autovacuum has none) and is in a transaction (it holds its
// virtual transaction id's lock; pg_locks is readable by every role).
// Transaction ids of other databases come from pg_locks for the same reason.
const ACTIVITY_SQL = `
SELECT ${ISO_UTC("statement_timestamp()")} AS read_at,
  (SELECT count(*) FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.query = '<insufficient privilege>' AND a.usesysid IS NOT NULL
      AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'virtualxid' AND l.granted))::int AS hidden,
  (SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database())::int AS prepared,
  ARRAY(SELECT l.transactionid::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted AND a.datname IS DISTINCT FROM current_database()) AS other_xids,
  coalesce((
    SELECT json_agg(json_build_object('pid', pid, 'database', datname, 'since', ${ISO_UTC("xact_start")},
      'age', extract(epoch FROM statement_timestamp() - xact_start), 'xid', backend_xid::text, 'ours', datname IS NOT DISTINCT FROM current_database()) ORDER BY xact_start)
    FROM pg_stat_activity
    WHERE pid <> pg_backend_pid() AND xact_start IS NOT NULL AND application_name IS DISTINCT FROM 'devstack-export'
  ), '[]'::json) AS open`;

/** Open transactions, read before the run's snapshot is taken. */
export async function readActivity(client: ClientBase): Promise<Activity> {
  const { rows } = await client.query<ActivityRow>(ACTIVITY_SQL);
  const row = rows[0] as ActivityRow;
  return {
    readAt: row.read_at,
    hidden: row.hidden,
    prepared: row.prepared,
    otherXids: row.other_xids,
    open: row.open.map((o) => ({ pid: o.pid, database: o.database ?? "", since: o.since, ageSeconds: Math.max(0, Math.round(o.age)), ...(o.xid ? { xid: o.xid } : {}), ours: o.ours })),
  };
}

/** The largest committed cursor value now, by the cursor's index; read before the activity. */
export async function readMark(client: ClientBase, table: string, cursor: string): Promise<CursorMark | undefined> {
  const { rows } = await client.query<{ value: string | null; at: string }>(`SELECT (SELECT max(${quoteIdent(cursor)})::text FROM ${table}) AS value, ${ISO_UTC("clock_timestamp()")} AS at`);
  const row = rows[0];
  return row?.value == null ? undefined : { at: row.at, value: row.value };
}

/** A btree index whose first column is the cursor, so a range on it is read by index. */
export async function cursorIndex(client: ClientBase, table: string, cursor: string): Promise<string | undefined> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i
     JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
     WHERE i.indrelid = to_regclass($1) AND a.attname = $2 AND am.amname = 'btree' AND i.indpred IS NULL AND i.indisvalid
     ORDER BY i.indnatts LIMIT 1`,
    [table, cursor],
  );
  return rows[0]?.name;
}

/** The CREATE INDEX that would let incremental runs read only what changed. */
export function indexSuggestion(table: string, cursor: string): string {
  return `CREATE INDEX CONCURRENTLY ON ${table} (${quoteIdent(cursor)})`;
}

/** A 32-bit transaction id as the 64-bit one it is, next to a 64-bit id no older than it. */
export function widen(xid: string, reference: string): string {
  const ref = BigInt(reference);
  let value = ((ref >> 32n) << 32n) + BigInt(xid);
  if (value > ref) value -= 1n << 32n;
  return value.toString();
}

/**
 * The transaction-id bound of late rows: the oldest id open at the snapshot,
 * leaving out transactions of other databases (seen in the activity read
 * before it), which cannot write this table; the snapshot's xmax when none.
 */
export function xidBound(xip: string[], xmax: string, activity: Activity, pending: PendingTransaction[] = []): string {
  // Pending transactions are looked back for once they end (runFloors), so they do not hold the bound either.
  const elsewhere = new Set([...activity.otherXids, ...pending.map((p) => xid32(p.xid))]);
  let bound = BigInt(xmax);
  for (const xid of xip) if (!elsewhere.has(xid32(xid)) && BigInt(xid) < bound) bound = BigInt(xid);
  return bound.toString();
}

export interface FloorInput {
  activity: Activity;
  /** Marks of earlier runs and of this one, oldest first. */
  marks: CursorMark[];
  /** The previous run's pending transactions. */
  pending: PendingTransaction[];
  /** ISO_UTC instant: transactions that began before it are not waited for. */
  horizonStart: string;
  /** The snapshot's xmax: below any id a transaction without one yet will get. */
  xmax: string;
}

export interface FloorResult {
  /** The next run's floor; undefined: the next run reads the whole table. */
  floor?: string;
  pending: PendingTransaction[];
  /** Why there is no floor, when there is none. */
  unbounded?: string;
  /** The open transaction of this database that sets the floor, when one does. */
  holder?: OpenTransaction;
}

/** The latest mark taken no later than `at`. */
function markAt(marks: CursorMark[], at: string): CursorMark | undefined {
  let best: CursorMark | undefined;
  for (const m of marks) if (m.at <= at && (!best || m.at > best.at)) best = m;
  return best;
}

/** The floor the next run starts from, and the long transactions it leaves pending. */
export function nextFloor(input: FloorInput): FloorResult {
  const { activity, marks, horizonStart } = input;
  const ours = activity.open.filter((o) => o.ours);
  // A transaction already pending keeps the floor it was first given.
  const pending: PendingTransaction[] = [];
  for (const o of ours.filter((t) => t.since < horizonStart)) {
    const known = input.pending.find((p) => p.pid === o.pid && p.since === o.since);
    const floor = known ? known.floor : markAt(marks, o.since)?.value;
    const xid = known?.xid ?? (o.xid === undefined ? input.xmax : widen(o.xid, input.xmax));
    pending.push({ pid: o.pid, since: o.since, xid, ...(floor === undefined ? {} : { floor }) });
  }
  if (activity.hidden > 0) return { pending, unbounded: `${activity.hidden} transaction(s) in this database are hidden from this role (GRANT pg_read_all_stats to it)` };
  if (activity.prepared > 0) return { pending, unbounded: `${activity.prepared} prepared transaction(s) are open in this database` };
  const waitedFor = ours.filter((t) => t.since >= horizonStart);
  const holder = waitedFor[0];
  const since = holder && holder.since < activity.readAt ? holder.since : activity.readAt;
  const mark = markAt(marks, since);
  if (!mark) return { pending, unbounded: "no earlier run's mark reaches back to the oldest open transaction", ...(holder ? { holder } : {}) };
  return { floor: mark.value, pending, ...(holder ? { holder } : {}) };
}

/**
 * The floors this run must start from: the previous run's, and that of every
 * pending transaction that has ended since (its rows are now visible); the
 * run reads from the lowest. Undefined when any of them is unknown, so the
 * run reads the whole table.
 */
export function runFloors(previous: { floor?: string; pending?: PendingTransaction[]; xmin?: string } | undefined, activity: Activity): { floors?: string[]; xmin?: string; ended: PendingTransaction[] } {
  const ended = (previous?.pending ?? []).filter((p) => !activity.open.some((o) => o.pid === p.pid && o.since === p.since));
  const floors = [previous?.floor, ...ended.map((p) => p.floor)];
  // The rows of an ended transaction carry its id, which the previous bound left out.
  let xmin = previous?.xmin;
  for (const p of ended) if (xmin !== undefined && BigInt(p.xid) < BigInt(xmin)) xmin = p.xid;
  return { ...(floors.every((f): f is string => f !== undefined) ? { floors } : {}), ...(xmin === undefined ? {} : { xmin }), ended };
}

/** An ISO_UTC instant `seconds` before another. */
export function isoBefore(at: string, seconds: number): string {
  return new Date(Date.parse(at) - seconds * 1000).toISOString().replace(/Z$/, "000Z");
}

/** Marks worth keeping: enough to reach back past the horizon, and never too many. */
export function keptMarks(marks: CursorMark[], horizonStart: string, max = 200): CursorMark[] {
  const inside = marks.filter((m) => m.at >= horizonStart);
  const before = marks.filter((m) => m.at < horizonStart).at(-1);
  return [...(before ? [before] : []), ...inside].slice(-max);
}

/** Text of a cursor value compared in Postgres, as the column's type orders it. */
export async function lowerInPostgres(client: ClientBase, type: string, values: string[]): Promise<string | undefined> {
  if (values.length === 0) return undefined;
  const { rows } = await client.query<{ value: string }>(`SELECT least(${values.map((v) => `${literal(v)}::${type}`).join(", ")})::text AS value`);
  return rows[0]?.value;
}
