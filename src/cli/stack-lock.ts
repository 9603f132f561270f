import type { StackLockOptions } from "../stack/lock.js";
import { colors, err } from "./output.js";

/**
 * How a command that changes the local stack waits for its lock: unless
 * --no-wait, saying who holds it — a note event with --json, a yellow line
 * on stderr otherwise (stdout stays the command's).
 */
export function stackLockOptions(command: string, options: { wait?: boolean; json?: boolean }, reporter?: { note(line: string): void }): StackLockOptions {
  return { command, wait: options.wait !== false, say: (line) => (options.json && reporter ? reporter.note(line) : err(colors.yellow(line))) };
}
