import { UsageError } from "../../errors.js";
import { exportUri, locationUri, openDestination, type Destination } from "../../exports/destination.js";
import { JOB_CONFIG_ENV, readJobConfig, S3_KEY_ENV } from "../../exports/job-config.js";
import { planExport, runExport, type ExportPlan, type ExportResult } from "../../exports/run.js";
import { jobTarget, profileTarget, type ExportTarget } from "../../exports/target.js";
import { colors, out, printResult, table, thousands } from "../output.js";
import { query } from "./export-query.js";
import { protectValues } from "../redaction.js";
import { Reporter } from "../reporter.js";

interface Options {
  profile?: string;
  dryRun?: boolean;
  full?: boolean;
  out?: string;
  query?: string;
  compression?: string;
  json?: boolean;
}

const COMPRESSIONS = ["zstd", "snappy", "gzip", "uncompressed"] as const;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** In a CronJob the mounted job config replaces devstack.yaml and the profile. */
async function target(options: Options): Promise<{ target: ExportTarget; cacheKey: string }> {
  const jobConfig = process.env[JOB_CONFIG_ENV];
  if (jobConfig) {
    const job = readJobConfig(jobConfig);
    // In the cluster the secrets arrive as environment variables; they are redacted from output all the same.
    const url = process.env[job.databaseEnv];
    let password: string | undefined;
    try {
      password = url ? decodeURIComponent(new URL(url).password) : undefined;
    } catch {
      password = undefined;
    }
    protectValues({ [job.databaseEnv]: url, "database password": password, [S3_KEY_ENV.secretAccessKey]: process.env[S3_KEY_ENV.secretAccessKey] });
    return { target: jobTarget(job, process.env, options.out), cacheKey: `${job.app}-${job.profile}` };
  }
  // Only from a laptop or CI: the CronJob's runs (every few minutes) start without the config schema and the secret store.
  const [{ loadConfig }, { openStore }, { protectSnapshot }] = await Promise.all([import("../../config/resolve.js"), import("../../secrets/open-store.js"), import("../protect.js")]);
  const config = loadConfig({ profile: options.profile ?? "local" });
  const snapshot = await (await openStore(config)).read();
  protectSnapshot(config, snapshot);
  return { target: profileTarget(config, snapshot, options.out), cacheKey: `${config.app.name}-${config.profileName}` };
}

function pick(target: ExportTarget, name: string | undefined): string[] {
  const names = Object.keys(target.exports);
  if (names.length === 0) throw new UsageError("devstack.yaml has no exports:", "add one, e.g. exports: { visits: { table: visits, cursor: updated_at } }");
  if (name === undefined) return names;
  if (!names.includes(name)) throw new UsageError(`no export named ${name}`, `exports in devstack.yaml: ${names.join(", ")}`);
  return [name];
}

async function dryRun(t: ExportTarget, names: string[], destination: Destination, json: boolean): Promise<number> {
  const plans: ExportPlan[] = [];
  for (const name of names) {
    const spec = t.exports[name];
    if (spec) plans.push(await planExport({ name, spec, connection: t.connection, destination }));
  }
  if (json) {
    printResult("export", { dryRun: true, exports: plans });
    return 0;
  }
  for (const p of plans) {
    out(`${p.export}: ${p.table} → ${p.destination}${p.export}/ (${p.mode}${p.from ? ` after ${p.from}` : ""})`);
    out(colors.dim(`  cursor ${p.cursor.column} (${p.cursor.type}), row key ${p.key.join(", ")}${p.filter ? `, rows where ${p.filter}` : ""}`));
    if (p.mode === "incremental") out(colors.dim(p.scan === "index" ? `  reads by index ${p.index ?? ""} from the floor, not the whole table` : "  reads the whole table"));
    out(table([[colors.dim("column"), colors.dim("postgres"), colors.dim("parquet")], ...p.columns.map((c) => [c.name, c.postgres, c.parquet])], "  "));
    for (const w of p.warnings) out(colors.yellow(`  warning: ${w}`));
  }
  return 0;
}

function summary(r: ExportResult): string {
  const files = r.files.length === 1 ? "1 file" : `${r.files.length} files`;
  const head = r.rows === 0 ? `${r.export}: no rows changed since ${r.from ?? "the start"}` : `${r.export}: ${thousands(r.rows)} rows → ${files} (${mb(r.parquetBytes)}) in ${r.seconds.toFixed(1)} s, ${thousands(r.rowsPerSecond)} rows/s`;
  const watermark = r.to ? colors.dim(`  watermark ${r.to}`) : "";
  return watermark ? `${head}\n${watermark}` : head;
}

export async function run(options: Options, args: string[]): Promise<number> {
  const compression = (options.compression ?? "zstd") as (typeof COMPRESSIONS)[number];
  if (!COMPRESSIONS.includes(compression)) throw new UsageError(`unknown compression ${options.compression}`, `use one of ${COMPRESSIONS.join(", ")}`);
  const { target: t, cacheKey } = await target(options);
  const names = pick(t, args[0]);
  const destination = await openDestination(t.location, t.credentials);
  if (options.query !== undefined) return query(destination, names, cacheKey, { ...options, query: options.query });

  if (options.dryRun) return dryRun(t, names, destination, options.json === true);

  const reporter = Reporter.forOutput(options.json === true);
  const results: ExportResult[] = [];
  try {
    for (const name of names) {
      const spec = t.exports[name];
      if (!spec) continue;
      const result = await reporter.step(`export ${name}: ${spec.table} → ${exportUri(t.location, name)}`, () =>
        runExport({
          name,
          spec,
          connection: t.connection,
          destination,
          compression,
          ...(options.full ? { full: true } : {}),
          onProgress: (p) => reporter.progress(`${thousands(p.rows)} rows, ${mb(p.bytes)} read, ${thousands(Math.round(p.rows / Math.max(p.seconds, 0.001)))} rows/s`),
        }),
      );
      results.push(result);
      if (!options.json) out(summary(result));
      for (const warning of result.warnings) reporter.note(`warning: ${warning}`);
    }
  } finally {
    reporter.close();
  }
  // Peak memory is part of the result: it is how a user (and the tests) see that nothing held the table.
  if (options.json) printResult("export", { dryRun: false, destination: locationUri(t.location), exports: results, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), steps: reporter.steps });
  return 0;
}
