import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { ClientBase } from "pg";

/**
 * Streams `COPY (query) TO STDOUT` in text format into a file: the server formats,
 * Node only moves buffers, and memory stays at one socket buffer whatever
 * the table's size. Returns the rows Postgres reported.
 */
export async function copyToFile(client: ClientBase, query: string, file: string, onBytes?: (bytes: number) => void): Promise<number> {
  const { to } = await import("pg-copy-streams");
  const stream = client.query(to(`COPY (${query}) TO STDOUT`));
  if (onBytes) stream.on("data", (chunk: Buffer) => onBytes(chunk.length));
  await pipeline(stream, createWriteStream(file, { highWaterMark: 1 << 20 }));
  return stream.rowCount;
}
