import { rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Client, ClientConfig } from "pg";
import type { ExportSpec } from "../config/schema/app.js";
import { durationSeconds } from "../config/duration.js";
import { DevstackError } from "../errors.js";
import { faultPoint, pausePoint } from "../fs/durable.js";
import { describeTable, type TableInfo } from "./columns.js";
import { copyToFile } from "./copy.js";
import type { Destination } from "./destination.js";
import { ColumnError, ParquetWriter, type Compression } from "./parquet.js";
import { literal, quoteIdent } from "./sql.js";
import { routeColumn, type ColumnRoute } from "./type-map.js";
import { openWorkDir } from "./workdir.js";
import { cursorKind, windowFilter, xid32, type Watermark } from "./window.js";
import { cursorIndex, indexSuggestion, isoBefore, keptMarks, lowerInPostgres, nextFloor, readActivity, readMark, runFloors, xidBound, type Activity, type CursorMark, type OpenTransaction } from "./activity.js";

interface ExportProgress {
  rows: number;
  /** Bytes of COPY text read from Postgres so far. */
  bytes: number;
  seconds: number;
}

export interface ExportJob {
  name: string;
  spec: ExportSpec;
  connection: ClientConfig;
  destination: Destination;
  full?: boolean;
  compression?: Compression;
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportResult {
  export: string;
  table: string;
  mode: "full" | "incremental";
  rows: number;
  partition: string;
  files: string[];
  parquetBytes: number;
  /** The watermark the run started after and the one it left; undefined when there was none. */
  from?: string;
  to?: string;
  warnings: string[];
  /** How the run found its rows (ExportPlan.scan). */
  scan: "index" | "table";
  /** The oldest transaction open when the run began (any database); `holdsBack` when it is in this one, so runs re-read what changed since it began. */
  oldestTransaction?: { pid: number; database: string; ageSeconds: number; holdsBack: boolean };
  seconds: number;
  rowsPerSecond: number;
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** What the run tells about open transactions and the next run's start. */
function transactionNotes(activity: Activity | undefined, floor: ReturnType<typeof nextFloor> | undefined, horizon: string, index: string | undefined): { warnings: string[]; oldest?: OpenTransaction } {
  const warnings: string[] = [];
  const oldest = activity?.open[0];
  const who = (o: OpenTransaction) => `transaction of pid ${o.pid} in database ${o.database} has been open ${age(o.ageSeconds)}`;
  const pending = activity?.open.filter((o) => o.ours && floor?.pending.some((p) => p.pid === o.pid && p.since === o.since)) ?? [];
  for (const o of pending) warnings.push(`${who(o)}, longer than the horizon (${horizon}): runs no longer wait for it; the first run after it ends reads back to when it began`);
  const holder = floor?.holder;
  if (holder && holder.ageSeconds >= REPORT_AGE_SECONDS) warnings.push(`${who(holder)}: until it ends, each run re-reads rows changed since it began (at most ${horizon} of them: exports.<name>.horizon)`);
  if (index && floor && floor.floor === undefined && floor.unbounded) warnings.push(`the next run reads the whole table: ${floor.unbounded}`);
  return { warnings, ...(oldest ? { oldest } : {}) };
}

const DEFAULT_CHUNK_PAGES = 8192;

/** How long an open transaction holds incremental runs back before they stop waiting for it (exports.<name>.horizon). */
const DEFAULT_HORIZON = "1h";

/** Transactions open this long are reported. */
const REPORT_AGE_SECONDS = 60;

/** Heap pages per range; DEVSTACK_EXPORT_CHUNK_PAGES tunes it (smaller: less memory and disk per chunk, more files). */
function chunkPagesFromEnv(): number | undefined {
  const value = Number(process.env.DEVSTACK_EXPORT_CHUNK_PAGES);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
const CHUNK_ROWS = 250_000;

/** Hive-style, so DuckDB, Spark and Athena read the export time as a column. */
export function partitionName(at: Date): string {
  return `exported_at=${at.toISOString().replace(/:/g, "-")}`;
}

function selectedColumns(info: TableInfo, spec: ExportSpec, key: string[], table: string): TableInfo["columns"] {
  const byName = new Map(info.columns.map((c) => [c.name, c]));
  const wanted = spec.columns ? [...spec.columns] : info.columns.map((c) => c.name);
  // The row key and the cursor always travel: without them analysts cannot deduplicate.
  for (const name of [...key, spec.cursor]) if (!wanted.includes(name)) wanted.push(name);
  return wanted.map((name) => {
    const column = byName.get(name);
    if (!column) throw new DevstackError(`column ${name} is not in ${table}`, { fix: `columns of ${table}: ${info.columns.map((c) => c.name).join(", ")}`, exitCode: 2 });
    return column;
  });
}

/** Ranges of heap pages for COPY to read one at a time, so parts are converted while the next range streams. */
function ranges(info: TableInfo, chunkPages: number, split: boolean): (string | undefined)[] {
  if (!split || !["r", "m"].includes(info.kind) || info.pages <= chunkPages) return [undefined];
  const out: string[] = [];
  // One range past the size read at the start catches pages added since (they are invisible to the snapshot anyway).
  for (let page = 0; page <= info.pages; page += chunkPages) {
    out.push(page + chunkPages > info.pages ? `ctid >= '(${page},0)'::tid` : `ctid >= '(${page},0)'::tid AND ctid < '(${page + chunkPages},0)'::tid`);
  }
  return out;
}

/** Connections reading at once; DEVSTACK_EXPORT_READERS tunes it (1 reads on one connection only). */
function readerCount(): number {
  return Number(process.env.DEVSTACK_EXPORT_READERS) || Math.min(2, availableParallelism());
}

/** Relations with row versions (xmin); a view has none. */
const HAS_XMIN = new Set(["r", "p", "m"]);

// Beyond this many transactions an xmin is too old for age() to compare reliably.
const XMIN_HORIZON = 2 ** 30;

/** Everything a run (or a dry run) decides before reading a row. */
export interface ExportPlan {
  export: string;
  table: string;
  destination: string;
  mode: "full" | "incremental";
  from?: string;
  cursor: { column: string; type: string; nullable: boolean };
  key: string[];
  columns: { name: string; postgres: string; parquet: string }[];
  filter: string;
  /** How an incremental run finds its rows: by the cursor's index from the floor, or by reading the whole table. */
  scan: "index" | "table";
  /** The btree index on the cursor, when there is one. */
  index?: string;
  warnings: string[];
}

interface Prepared {
  plan: ExportPlan;
  previous: Watermark | undefined;
  stored: Watermark | undefined;
  /** Read before the snapshot (activity.ts); undefined for a view. */
  activity?: Activity;
  mark?: CursorMark;
  info: TableInfo;
  routes: ColumnRoute[];
  window: string;
  table: string;
  cursorType: string;
}

async function connect(job: ExportJob): Promise<Client> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ ...job.connection, application_name: "devstack-export" });
  // A connection that dies between queries (a failover while a part uploads) must fail the run, not the process.
  client.on("error", () => {});
  await client.connect().catch((error: Error) => {
    throw new DevstackError(`cannot connect to the database for export ${job.name}: ${error.message}`, { fix: "check the profile's database endpoint (is `devstack up` running?) and that this machine can reach it", cause: error });
  });
  // Fixed output formats, whatever the server's defaults, so DuckDB parses exactly what Postgres prints.
  await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'");
  return client;
}

/** Marks and floors describe one table's cursor; a watermark of another is no guide. */
const sameTable = (w: Watermark | undefined, spec: ExportSpec): w is Watermark => w !== undefined && w.table === spec.table && w.cursor === spec.cursor;

/** Validates the export against the catalog and the destination's watermark; the snapshot starts right after. */
async function prepare(job: ExportJob, client: Client): Promise<Prepared> {
  const spec = job.spec;
  // Read even for --full: the destination writes the next watermark conditionally on the version it read.
  const stored = await job.destination.readWatermark(job.name);
  const previous = job.full ? undefined : stored;
  if (previous && (previous.table !== spec.table || previous.cursor !== spec.cursor)) {
    throw new DevstackError(`the watermark of ${job.name} at ${job.destination.uri} was made for ${previous.table}.${previous.cursor}, not ${spec.table}.${spec.cursor}`, {
      fix: `run \`devstack export ${job.name} --full\` once to start over from the whole table`,
      exitCode: 2,
    });
  }
  const info = await describeTable(client, spec.table);
  const cursorColumn = info.columns.find((c) => c.name === spec.cursor);
  if (!cursorColumn) throw new DevstackError(`cursor column ${spec.cursor} is not in ${spec.table}`, { fix: `columns of ${spec.table}: ${info.columns.map((c) => c.name).join(", ")}`, exitCode: 2 });
  const kind = cursorKind(cursorColumn.type);
  if (!kind) throw new DevstackError(`cursor ${spec.cursor} is ${cursorColumn.type}; a cursor must only grow`, { fix: "use a timestamp such as updated_at, or a serial/identity id", exitCode: 2 });
  const key = spec.key ?? info.primaryKey;
  if (key.length === 0) throw new DevstackError(`${spec.table} has no primary key, so export ${job.name} has no row key`, { fix: `set exports.${job.name}.key to the columns that identify a row`, exitCode: 2 });
  const routes = selectedColumns(info, spec, key, spec.table).map(routeColumn);
  const warnings = cursorColumn.notNull ? [] : [`cursor ${spec.cursor} may be NULL: such rows are exported by --full runs only`];
  const hasXmin = HAS_XMIN.has(info.kind);
  if (!hasXmin) warnings.push(`${spec.table} is a view: rows committed after a run with an older ${spec.cursor} than it saw are caught only within overlap:`);
  if (previous?.value !== undefined && hasXmin && previous.xmin !== undefined) {
    const { rows: ages } = await client.query<{ age: number }>(`SELECT age(${literal(xid32(previous.xmin))}::xid) AS age`);
    if ((ages[0]?.age ?? 0) > XMIN_HORIZON) warnings.push(`the last run was over ${XMIN_HORIZON.toLocaleString("en-US")} transactions ago: run with --full once, so no late commit from then goes unseen`);
  }
  const table = spec.table.split(".").map(quoteIdent).join(".");
  // An id does not move when its row changes: only reading every row's xmin finds changed rows. A time cursor moves.
  const ranged = hasXmin && kind === "time";
  const index = ranged ? await cursorIndex(client, spec.table, spec.cursor) : undefined;
  if (ranged && !index) warnings.push(`no index on ${spec.cursor}: incremental runs read the whole table; \`${indexSuggestion(spec.table, spec.cursor)}\` lets them read only what changed`);
  // In this order, before the snapshot: the mark, then the open transactions (activity.ts says why).
  const mark = index ? await readMark(client, table, spec.cursor) : undefined;
  const activity = hasXmin ? await readActivity(client) : undefined;
  let floor: string | undefined;
  let afterXmin = previous?.xmin;
  if (ranged && activity && previous?.value !== undefined && previous.xmin !== undefined) {
    const run = runFloors(previous, activity);
    floor = run.floors ? await lowerInPostgres(client, cursorColumn.type, run.floors) : undefined;
    afterXmin = run.xmin;
  }
  const window = windowFilter({
    cursor: spec.cursor,
    cursorType: cursorColumn.type,
    ...(previous?.value === undefined ? {} : { after: previous.value }),
    ...(afterXmin === undefined || !hasXmin ? {} : { afterXmin }),
    ...(floor === undefined ? {} : { floor }),
    ...(spec.overlap === undefined ? {} : { overlap: spec.overlap }),
    ...(spec.where ? { where: spec.where } : {}),
  });
  const plan: ExportPlan = {
    export: job.name,
    table: spec.table,
    destination: job.destination.uri,
    mode: previous?.value === undefined ? "full" : "incremental",
    ...(previous?.value === undefined ? {} : { from: previous.value }),
    cursor: { column: spec.cursor, type: cursorColumn.type, nullable: !cursorColumn.notNull },
    key,
    columns: routes.map((r) => ({ name: r.name, postgres: r.pgType, parquet: r.target })),
    filter: window.replace(/^ WHERE /, ""),
    scan: floor !== undefined && index ? "index" : "table",
    ...(index ? { index } : {}),
    warnings,
  };
  return { plan, previous, stored, ...(activity ? { activity } : {}), ...(mark ? { mark } : {}), info, routes, window, table, cursorType: cursorColumn.type };
}

/** What a run would do, from the catalog and the watermark; reads no rows, writes nothing. */
export async function planExport(job: ExportJob): Promise<ExportPlan> {
  const client = await connect(job);
  try {
    return (await prepare(job, client)).plan;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * One run of one export: rows past the watermark (or all with `full`) in a
 * single repeatable-read snapshot, streamed by COPY into text chunks that
 * DuckDB turns into Parquet parts while the next chunk streams. The
 * watermark moves only after every part is durable at the destination.
 */
export async function runExport(job: ExportJob): Promise<ExportResult> {
  const started = performance.now();
  const spec = job.spec;
  const partition = partitionName(new Date());
  const release = await job.destination.lock(job.name);
  const work = openWorkDir();
  const workDir = work.dir;
  // DuckDB opens once rows stream (a run with nothing new never loads it), on a thread of its own, so reading goes on while it loads.
  let opening: Promise<ParquetWriter> | undefined;
  const parquetWriter = (): Promise<ParquetWriter> => (opening ??= ParquetWriter.open({ tempDir: join(workDir, "duckdb") }));
  let pending: Promise<void> = Promise.resolve();
  let storing: Promise<void> = Promise.resolve();
  let client: Client | undefined;
  const extraClients: Client[] = [];
  try {
    client = await connect(job);
    const { plan, previous, stored, activity, mark, info, routes, window, table, cursorType } = await prepare(job, client);

    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows: head } = await client.query<{ max: string | null; xmax: string; xip: string[] }>(
      `SELECT (SELECT max(${quoteIdent(spec.cursor)})::text FROM ${table}${window}) AS max, pg_snapshot_xmax(s)::text AS xmax, ARRAY(SELECT pg_snapshot_xip(s)::text) AS xip FROM pg_current_snapshot() s`,
    );
    const maxSeen = head[0]?.max ?? undefined;
    let split = previous?.value === undefined;
    if (!split) {
      const explain = await client.query<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table}${window}`);
      split = (explain.rows[0]?.["QUERY PLAN"][0].Plan["Plan Rows"] ?? 0) > CHUNK_ROWS;
    }

    const select = routes.map((r) => r.source).join(", ");
    const files: string[] = [];
    let rows = 0;
    let bytes = 0;
    let parquetBytes = 0;
    let lastReport = 0;
    const report = () => job.onProgress?.({ rows, bytes, seconds: (performance.now() - started) / 1000 });
    const rangeList = ranges(info, chunkPagesFromEnv() ?? DEFAULT_CHUNK_PAGES, split);

    await pausePoint("export:after-snapshot");
    // More than one connection reads ranges at once, all in this transaction's snapshot (as pg_dump -j does).
    const readers: Client[] = [client];
    if (rangeList.length > 2 && readerCount() > 1) {
      const { rows: exported } = await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
      for (let i = 1; i < readerCount(); i++) {
        const extra = await connect(job);
        extraClients.push(extra);
        await extra.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        await extra.query(`SET TRANSACTION SNAPSHOT ${literal(exported[0]?.id ?? "")}`);
        readers.push(extra);
      }
    }

    let nextRange = 0;
    let waiting = 0;
    let failure: unknown;
    const wakers: (() => void)[] = [];
    const fail = (error: unknown) => {
      failure ??= error;
      for (const wake of wakers.splice(0)) wake();
    };
    // DuckDB converts one chunk at a time, in the order they finish streaming.
    let nextPart = 0;
    const enqueue = (csv: string, count: number, longestRow: number) => {
      waiting++;
      const name = `part-${String(nextPart++).padStart(5, "0")}.parquet`;
      const out = join(workDir, name);
      pending = pending.then(async () => {
        try {
          // A part that failed to store stops the run: the chunks behind it are not converted for nothing.
          if (failure !== undefined) throw failure;
          await (await parquetWriter()).convert(csv, routes, out, count, longestRow, job.compression);
        } catch (error) {
          if (error === failure) throw error;
          const fix =
            error instanceof ColumnError
              ? `list the columns to export without ${error.column} (exports.${job.name}.columns), or export a view that casts it to a type its values fit; \`devstack export --dry-run\` shows each column's mapped type`
              : "`devstack export --dry-run` shows each column's mapped type; leave out a column whose values do not fit it with columns:";
          throw new DevstackError(`could not convert ${spec.table} to Parquet: ${(error as Error).message.split("\n")[0]}`, { fix, cause: error });
        } finally {
          rmSync(csv, { force: true });
          waiting--;
          wakers.shift()?.();
        }
        parquetBytes += statSync(out).size;
        // A part is stored while the next chunk converts (an upload or an fsync kept DuckDB waiting); one at a time, so parts do not pile up on disk.
        const previous = storing;
        storing = previous.then(async () => {
          files.push(await job.destination.putPart(job.name, partition, name, out));
          rmSync(out, { force: true });
          rows += count;
          report();
        });
        storing.catch(fail);
        await previous;
      });
      pending.catch(fail);
    };
    const read = async (reader: Client) => {
      while (failure === undefined && nextRange < rangeList.length) {
        const index = nextRange++;
        // Disk holds at most one chunk per reader streaming and one more than readers waiting for DuckDB.
        const room = async () => {
          while (waiting > readers.length && failure === undefined) await new Promise<void>((wake) => wakers.push(wake));
        };
        await room();
        if (failure !== undefined) return;
        const where = [window.replace(/^ WHERE /, ""), rangeList[index]].filter(Boolean).join(" AND ");
        // A range of heap pages says nothing of bytes (TOASTed values live outside it): COPY cuts it into chunks of bounded size.
        await copyToFile(reader, `SELECT ${select} FROM ${table}${where ? ` WHERE ${where}` : ""}`, {
          file: (part) => join(workDir, `chunk-${index}-${part}.csv`),
          onChunk: async (chunk) => {
            enqueue(chunk.file, chunk.rows, chunk.longestRow);
            await room();
            if (failure !== undefined) throw failure;
          },
          onBytes: (n) => {
            if (opening === undefined) void parquetWriter().catch(() => {});
            bytes += n;
            const now = performance.now();
            if (now - lastReport > 250) {
              lastReport = now;
              report();
            }
          },
        }).catch((error: unknown) => {
          if (error === failure || !(error instanceof DevstackError) || error.message.startsWith("could not convert")) throw error;
          throw new DevstackError(`could not convert ${spec.table} to Parquet: ${error.message}`, { kind: error.kind, ...(error.fix === undefined ? {} : { fix: error.fix }), cause: error });
        });
      }
    };
    await Promise.all(readers.map((reader) => read(reader).catch(fail)));
    await pending.catch(fail);
    await storing.catch(fail);
    if (failure !== undefined) throw failure;
    files.sort();
    await client.query("COMMIT");

    // The watermark never moves back: a run that only re-read old rows (late commits, overlap) sees a smaller maximum.
    let next = previous?.value;
    if (maxSeen !== undefined && rows > 0) {
      next = previous?.value === undefined ? maxSeen : ((await client.query<{ value: string }>(`SELECT greatest($1::${cursorType}, $2::${cursorType})::text AS value`, [previous.value, maxSeen])).rows[0]?.value ?? maxSeen);
    }
    faultPoint("export:before-watermark");
    const horizonStart = activity ? isoBefore(activity.readAt, durationSeconds(spec.horizon ?? DEFAULT_HORIZON)) : "";
    const earlier = sameTable(stored, spec) ? stored : undefined;
    const marks = keptMarks([...(earlier?.marks ?? []), ...(mark ? [mark] : [])], horizonStart);
    const following = activity && head[0] && plan.index ? nextFloor({ activity, marks, pending: earlier?.pending ?? [], horizonStart, xmax: head[0].xmax }) : undefined;
    const snapshotXmin = activity && head[0] ? xidBound(head[0].xip, head[0].xmax, activity, following?.pending) : undefined;
    // Written after empty runs too, so the xmin it holds stays recent.
    if (rows > 0 || (snapshotXmin !== undefined && previous?.value !== undefined)) {
      const watermark: Watermark = {
        version: 1,
        export: job.name,
        table: spec.table,
        cursor: spec.cursor,
        cursorType,
        ...(next === undefined ? {} : { value: next }),
        ...(snapshotXmin === undefined ? {} : { xmin: snapshotXmin }),
        key: plan.key,
        ...(following?.floor === undefined ? {} : { floor: following.floor }),
        ...(marks.length > 0 ? { marks } : {}),
        ...(following && following.pending.length > 0 ? { pending: following.pending } : {}),
        updatedAt: new Date().toISOString(),
        lastRun: { partition, rows, files },
      };
      await job.destination.writeWatermark(job.name, watermark);
    }
    const notes = transactionNotes(activity, following, spec.horizon ?? DEFAULT_HORIZON, plan.index);
    const seconds = (performance.now() - started) / 1000;
    return {
      export: job.name,
      table: spec.table,
      mode: plan.mode,
      rows,
      partition,
      files,
      parquetBytes,
      ...(plan.from === undefined ? {} : { from: plan.from }),
      ...(next === undefined ? {} : { to: next }),
      warnings: [...plan.warnings, ...notes.warnings],
      scan: plan.scan,
      ...(notes.oldest ? { oldestTransaction: { pid: notes.oldest.pid, database: notes.oldest.database, ageSeconds: notes.oldest.ageSeconds, holdsBack: notes.oldest.ours } } : {}),
      seconds,
      rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : rows,
    };
  } finally {
    // DuckDB must not be closed under a running conversion (it deadlocks): let it settle first.
    await pending.catch(() => {});
    await storing.catch(() => {});
    // The connections close while DuckDB does (about 20 ms each, at the end of every run).
    const ending = Promise.all([client, ...extraClients].map((c) => c?.end().catch(() => {})));
    await (await opening?.catch(() => undefined))?.close();
    await ending;
    await release();
    work.dispose();
  }
}
