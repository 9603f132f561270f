import { z } from "zod";
import type { ErrorKind } from "../../errors.js";

/**
 * The `--json` line shapes every command shares (see output.ts): events,
 * the result (one schema per command, beside this file) and the error.
 */

/** A command's result line: `{"type":"result","command":<command>,...fields}`; no field beyond the declared ones. */
export function result<const C extends string, S extends z.ZodRawShape>(command: C, shape: S) {
  return z.strictObject({ type: z.literal("result"), command: z.literal(command), ...shape });
}

/** Any progress line: `{"type":"event","event":<name>,...}`. */
export const eventLine = z.looseObject({ type: z.literal("event"), event: z.string().min(1) });

/** Reporter's step events: one at the start of a step, one when it ends. */
export const stepEvent = z.strictObject({
  type: z.literal("event"),
  event: z.literal("step"),
  title: z.string(),
  status: z.enum(["start", "ok", "failed"]),
  ms: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});

/** The steps a result lists: what was done and how long each took. */
export const steps = z.array(z.strictObject({ title: z.string(), ms: z.number().int().nonnegative(), status: z.enum(["ok", "failed"]) }));

const ERROR_KINDS = ["usage", "config", "failed", "timeout", "engine", "credentials", "network", "helm", "port-in-use", "not-found", "conflict", "filesystem", "secrets", "interrupted", "internal"] as const;
// Fails to compile when errors.ts gains a kind this list lacks, or the other way round.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- a compile-time check only
const kindsMatch: Same<ErrorKind, (typeof ERROR_KINDS)[number]> = true;

const configIssue = z.strictObject({ file: z.string(), line: z.number().int(), column: z.number().int(), path: z.string(), message: z.string() });

/** The failure, always the last line: exit 2 for usage and config, 1 (or 130 when interrupted) otherwise. */
export const errorLine = z.strictObject({
  type: z.literal("error"),
  kind: z.enum(ERROR_KINDS),
  message: z.string().min(1),
  fix: z.string().min(1).nullable(),
  issues: z.array(configIssue),
  exitCode: z.number().int().min(1),
});

