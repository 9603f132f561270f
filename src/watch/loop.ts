export type ChangeKind = "source" | "config";

export interface Batch {
  /** Changed paths, relative to the project, in the order first seen. */
  paths: string[];
  /** True when devstack.yaml or a profile changed: the config is resolved again. */
  config: boolean;
}

export interface LoopOptions {
  /** Quiet time after the last change before a redeploy starts. */
  debounceMs: number;
}

/**
 * Turns a stream of file changes into redeploys: changes within the debounce
 * window coalesce into one batch; one redeploy runs at a time; changes that
 * arrive meanwhile wait as at most one queued batch, merged.
 */
export class RedeployLoop {
  private pending: Batch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly redeploy: (batch: Batch) => Promise<void>,
    private readonly options: LoopOptions,
  ) {}

  notify(path: string, kind: ChangeKind): void {
    if (this.stopped) return;
    this.pending ??= { paths: [], config: false };
    if (!this.pending.paths.includes(path)) this.pending.paths.push(path);
    this.pending.config ||= kind === "config";
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.options.debounceMs);
  }

  private fire(): void {
    this.timer = undefined;
    // A running redeploy picks the pending batch up when it finishes.
    if (this.running || !this.pending) return;
    const batch = this.pending;
    this.pending = undefined;
    this.running = this.redeploy(batch)
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.pending && !this.timer && !this.stopped) this.fire();
      });
  }

  /** Resolves when nothing runs and nothing waits. */
  async idle(): Promise<void> {
    while (this.running || this.timer) {
      if (this.running) await this.running;
      else await new Promise((r) => setTimeout(r, this.options.debounceMs));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }
}
