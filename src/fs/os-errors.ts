// File-system failures that a user can act on, in words with the path and
// the fix, wherever they surface: a full disk or a read-only directory is
// never an "unexpected failure".

const KNOWN: Record<string, { what: string; fix: (path: string) => string }> = {
  ENOSPC: { what: "the disk is full", fix: (p) => `free space on the disk that holds ${p}, then run the command again: nothing half-written was kept` },
  EDQUOT: { what: "the disk quota is used up", fix: (p) => `free space in your quota for ${p}, then run the command again` },
  EROFS: { what: "the file system is read-only", fix: (p) => `make ${p} writable, or point DEVSTACK_HOME at a writable directory` },
  EACCES: { what: "permission denied", fix: (p) => `give your user access to ${p} (or point DEVSTACK_HOME at a directory of yours)` },
  EPERM: { what: "operation not permitted", fix: (p) => `give your user access to ${p} (or point DEVSTACK_HOME at a directory of yours)` },
  EMFILE: { what: "too many open files", fix: () => "raise the open-file limit (`ulimit -n 4096`) and run the command again" },
  ENAMETOOLONG: { what: "a path is too long", fix: (p) => `use a shorter directory than ${p}` },
};

export function describeOsError(error: unknown): { message: string; fix: string } | undefined {
  const e = error as (NodeJS.ErrnoException & { dest?: string }) | undefined;
  const known = e?.code ? KNOWN[e.code] : undefined;
  if (!known) return undefined;
  const path = e?.path ?? e?.dest ?? "";
  const verb = e?.syscall ? ` (${e.syscall})` : "";
  return { message: `${path ? `cannot write or read ${path}: ` : ""}${known.what}${verb} [${e?.code}]`, fix: known.fix(path || "the directory devstack writes to") };
}
