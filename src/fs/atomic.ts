import writeFileAtomicLib from "write-file-atomic";

/**
 * Temp file, fsync, rename: a crash or a full disk leaves either the old file
 * or the new one, never half of either.
 */
export async function writeFileAtomic(path: string, data: string | Buffer, mode?: number): Promise<void> {
  await writeFileAtomicLib(path, data, { fsync: true, ...(mode === undefined ? {} : { mode }) });
}
