import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";
import type { Watermark } from "./window.js";

/** Where an export's files and watermark live: a directory, or a bucket and prefix. */
export type Location = { type: "directory"; path: string } | { type: "s3"; bucket: string; prefix: string; endpoint?: string; region?: string };

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * One interface, one implementation per kind of storage. Parts land first and
 * the watermark last, so a reader of the watermark never sees a run whose
 * files might be missing.
 */
export interface Destination {
  readonly uri: string;
  /** Serialises runs of one export where the storage allows it; returns the release. */
  lock(exportName: string): Promise<() => Promise<void>>;
  readWatermark(exportName: string): Promise<Watermark | undefined>;
  /** Makes a finished local Parquet file durable at `<export>/<partition>/<name>`; returns where it went. */
  putPart(exportName: string, partition: string, name: string, file: string): Promise<string>;
  /** Replaces the watermark, only after every part of the run is durable. */
  writeWatermark(exportName: string, watermark: Watermark): Promise<void>;
  /** Every Parquet file of an export, as paths DuckDB can read (downloading from S3 into `cacheDir`). */
  localFiles(exportName: string, cacheDir: string): Promise<string[]>;
}

export const WATERMARK_FILE = "_watermark.json";

/** `--out` and the profile's object store, as one location: s3://bucket/prefix, file:///dir or a path. */
export function parseLocation(uri: string, cwd = process.cwd()): Location {
  if (uri.startsWith("s3://")) {
    const rest = uri.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/\/*$/, "/").replace(/^\/$/, "");
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new UsageError(`"${uri}" does not name an S3 bucket`, "use s3://bucket/prefix/, file:///path or a directory path");
    return { type: "s3", bucket, prefix };
  }
  if (uri.startsWith("file://")) return { type: "directory", path: fileURLToPath(uri) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new UsageError(`unsupported destination "${uri}"`, "use s3://bucket/prefix/, file:///path or a directory path");
  return { type: "directory", path: isAbsolute(uri) ? uri : resolve(cwd, uri) };
}

export function locationUri(location: Location): string {
  return location.type === "s3" ? `s3://${location.bucket}/${location.prefix}` : location.path;
}

/** Where one export's files go, for humans. */
export function exportUri(location: Location, exportName: string): string {
  return location.type === "s3" ? `${locationUri(location)}${exportName}/` : `${join(location.path, exportName)}/`;
}

export async function openDestination(location: Location, credentials?: S3Credentials): Promise<Destination> {
  if (location.type === "directory") {
    const { DirectoryDestination } = await import("./directory-destination.js");
    return new DirectoryDestination(location.path);
  }
  const { S3Destination } = await import("./s3-destination.js");
  return S3Destination.open(location, credentials);
}
