import { createHash } from "node:crypto";

/** What every devstack deploy stores with its Helm release (as the release's description). */
export interface ReleaseRecord {
  devstack: 1;
  commit: string | null;
  dirty: boolean;
  image: string;
  digest: string | null;
  configHash: string;
  chart: string;
  by: string;
  at: string;
  /** Set by promote: the profile whose running digest this is. */
  promotedFrom?: string;
  /** The other components' images (digest, or repository:tag), when the product builds more than one. */
  components?: Record<string, string>;
}

const PREFIX = "devstack ";

export function encodeRecord(record: ReleaseRecord): string {
  return `${PREFIX}${JSON.stringify(record)}`;
}

/** The record in a Helm release description, or undefined for releases devstack did not make. */
export function decodeRecord(description: string | undefined): ReleaseRecord | undefined {
  if (!description?.startsWith(PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(description.slice(PREFIX.length)) as ReleaseRecord;
    return parsed.devstack === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function configHash(values: unknown): string {
  return createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 16);
}

interface HistoryEntry {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
}

export interface Release {
  revision: number;
  status: string;
  updated: string;
  chart: string;
  record: ReleaseRecord | undefined;
  /** Helm's own description where devstack left none (rollbacks, other tools). */
  note: string | undefined;
}

/** `helm history -o json`, newest first, with devstack's records decoded. */
export function parseHistory(json: string): Release[] {
  const entries = JSON.parse(json) as HistoryEntry[];
  return entries
    .map((e) => {
      const record = decodeRecord(e.description);
      return { revision: e.revision, status: e.status, updated: e.updated, chart: e.chart, record, note: record ? undefined : e.description };
    })
    .sort((a, b) => b.revision - a.revision);
}

/**
 * Whether a deploy can skip `helm upgrade`: the deployed release already runs
 * exactly these values (image digest and secrets version are in them) from
 * the same chart.
 */
export function upToDate(releases: Release[], next: Pick<ReleaseRecord, "configHash" | "chart">): Release | undefined {
  const current = releases.find((r) => r.status === "deployed");
  return current?.record && current.record.configHash === next.configHash && current.record.chart === next.chart ? current : undefined;
}

/** The revision whose content a release runs: its own, or N for helm's "Rollback to N". */
function effectiveRevision(release: Pick<Release, "revision" | "note">): number {
  const rolled = /^Rollback to (\d+)/.exec(release.note ?? "");
  return rolled ? Number(rolled[1]) : release.revision;
}

/** The release record of what runs now, following rollbacks to the revision they restored. */
export function runningRecord(releases: Release[]): { release: Release; record: ReleaseRecord | undefined } | undefined {
  const current = releases.find((r) => r.status === "deployed");
  if (!current) return undefined;
  const source = releases.find((r) => r.revision === effectiveRevision(current));
  return { release: current, record: current.record ?? source?.record };
}

/**
 * Where a rollback without --to goes: the newest good revision older than the
 * content that runs now — never back to the release a rollback just left.
 */
export function rollbackTarget(releases: Release[]): number | undefined {
  const current = releases.find((r) => r.status === "deployed");
  if (!current) return undefined;
  const running = effectiveRevision(current);
  return releases.find((r) => r.revision < running && (r.status === "superseded" || r.status === "deployed") && effectiveRevision(r) < running)?.revision;
}

/** The revision a failed deploy returns to: the newest one that was deployed or superseded before it. */
export function previousRevision(releases: Release[], failed: number): number | undefined {
  return releases.find((r) => r.revision < failed && (r.status === "superseded" || r.status === "deployed"))?.revision;
}
