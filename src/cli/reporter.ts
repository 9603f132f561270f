import { DevstackError } from "../errors.js";
import { colors, err, errRaw, printEvent } from "./output.js";

export type ReporterMode = "tty" | "plain" | "json";

export interface StepRecord {
  title: string;
  ms: number;
  status: "ok" | "failed";
}

class Interrupted extends DevstackError {
  constructor() {
    super("interrupted: stopped between steps, nothing is half written", { exitCode: 130, kind: "interrupted", fix: "run the same command again to resume where it stopped" });
  }
}

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Progress for long work: a spinner and per-step timings on a terminal,
 * plain lines elsewhere, a JSON event per line with --json. Ctrl-C lets the
 * running step finish and stops before the next one; a second Ctrl-C quits.
 */
export class Reporter {
  readonly steps: StepRecord[] = [];
  private interrupted = false;
  private detail = "";
  private readonly onSigint = () => {
    if (this.interrupted) process.exit(130);
    this.interrupted = true;
    err(colors.yellow("\nstopping after the current step (Ctrl-C again to quit at once)"));
  };

  constructor(readonly mode: ReporterMode) {
    process.on("SIGINT", this.onSigint);
  }

  static forOutput(json: boolean): Reporter {
    return new Reporter(json ? "json" : process.stderr.isTTY ? "tty" : "plain");
  }

  close(): void {
    process.off("SIGINT", this.onSigint);
  }

  /** With --json, one `{"type":"event","event":<event>,...}` line; nothing otherwise. */
  event(event: string, fields: Record<string, unknown> = {}): void {
    if (this.mode === "json") printEvent(event, fields);
  }

  note(text: string): void {
    if (this.mode === "json") this.event("note", { text });
    else err(colors.dim(`  ${text}`));
  }

  /** Live detail of the running step (rows so far, a rate): on a terminal only, where it overwrites itself. */
  progress(detail: string): void {
    this.detail = detail;
  }

  async step<T>(title: string, work: () => Promise<T>): Promise<T> {
    if (this.interrupted) throw new Interrupted();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    if (this.mode === "tty") {
      let i = 0;
      this.detail = "";
      errRaw(`${frames[0]} ${title}`);
      timer = setInterval(() => errRaw(`\r\u001b[2K${frames[++i % frames.length]} ${title}${this.detail ? colors.dim(`  ${this.detail}`) : ""}`), 80);
    } else if (this.mode === "plain") {
      err(`→ ${title}`);
    } else {
      this.event("step", { title, status: "start" });
    }
    try {
      const result = await work();
      this.finish(title, started, "ok", timer);
      return result;
    } catch (error) {
      this.finish(title, started, "failed", timer, error);
      throw error;
    }
  }

  private finish(title: string, started: number, status: "ok" | "failed", timer: NodeJS.Timeout | undefined, error?: unknown): void {
    const ms = Math.round(performance.now() - started);
    this.steps.push({ title, ms, status });
    if (timer) clearInterval(timer);
    const time = colors.dim(`${ms} ms`);
    if (this.mode === "tty") errRaw(`\r\u001b[2K${status === "ok" ? colors.green("✓") : colors.red("✗")} ${title}  ${time}\n`);
    else if (this.mode === "plain") err(`${status === "ok" ? "✓" : "✗"} ${title} (${ms} ms)`);
    else this.event("step", { title, status, ms, ...(error ? { error: error instanceof Error ? error.message : String(error) } : {}) });
  }
}
