import { spawn } from "node:child_process";
import { constants } from "node:os";

/** A child's end as a shell reports it: its exit code, or 128 + the number of the signal that ended it. */
export function shellExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal ? 128 + (constants.signals[signal] ?? 0) : 1;
}

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Runs a command with the terminal and this environment, passing on the
 * signals this process gets (it stays alive until the child has ended), and
 * resolves with the child's exit code as a shell reports it. The environment
 * goes straight to the child: never a file, never its command line.
 */
export function runForwarding(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, command.slice(1), { stdio: "inherit", env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of FORWARDED) process.on(s, forward);
    const done = () => {
      for (const s of FORWARDED) process.off(s, forward);
    };
    child.on("error", (error) => {
      done();
      reject(error);
    });
    child.on("close", (code, signal) => {
      done();
      resolve(shellExitCode(code, signal));
    });
  });
}
