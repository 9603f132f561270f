// A plan is data: what a flow will do, decided from what was observed,
// before anything changes. `--dry-run` prints it; the executor follows it.
// Nothing here performs I/O, so every decision is testable on its own.

/** Runs one step of a flow, with its title (the reporter times and prints it). */
export type StepRunner = <T>(title: string, work: () => Promise<T>) => Promise<T>;

type FlowName = "deploy" | "promote" | "rollback" | "platform" | "up";

/**
 * run: the step will change something. skip: its input is unchanged.
 * unknown: it depends on state that could not be observed (no cluster, no
 * credentials); the reason says which.
 */
export type Decision = "run" | "skip" | "unknown";

export interface PlanStep {
  id: string;
  title: string;
  decision: Decision;
  reason?: string;
  /** Runs only when this earlier step fails (a rollback after a failed smoke check). */
  onFailureOf?: string;
}

export interface Unobserved {
  what: string;
  why: string;
  fix?: string;
}

/** Something that stops the flow before it starts, with the fix. */
export interface Blocker {
  message: string;
  fix: string;
}

export interface Plan {
  flow: FlowName;
  app: string;
  profile: string;
  /** Where it runs, in words (the local k3s, EKS name (region), a kube context). */
  target: string;
  steps: PlanStep[];
  unobserved: Unobserved[];
  blockers: Blocker[];
}

/** What could not be observed, or the value. Observers return this instead of throwing, so a dry run still plans. */
export type Observation<T> = { ok: true; value: T } | { ok: false; why: string; fix?: string };

export function seen<T>(value: T): Observation<T> {
  return { ok: true, value };
}

export function unseen<T>(why: string, fix?: string): Observation<T> {
  return { ok: false, why, ...(fix ? { fix } : {}) };
}

export function step(id: string, title: string, decision: Decision, reason?: string): PlanStep {
  return { id, title, decision, ...(reason ? { reason } : {}) };
}

export function stepOf(plan: Plan, id: string): PlanStep | undefined {
  return plan.steps.find((s) => s.id === id);
}

/** Whether the executor should run a step: a plan with unknown decisions is for printing only. */
export function willRun(plan: Plan, id: string): boolean {
  const found = stepOf(plan, id);
  return found !== undefined && found.decision === "run" && found.onFailureOf === undefined;
}

const MARK: Record<Decision, string> = { run: "run ", skip: "skip", unknown: "?   " };

/** The plan in words, one line per step, as `--dry-run` prints it. */
export function formatPlan(plan: Plan): string[] {
  const lines = [`plan: ${plan.flow} ${plan.app} to ${plan.profile} (${plan.target})`];
  for (const s of plan.steps) {
    const when = s.onFailureOf ? ` — only if "${plan.steps.find((o) => o.id === s.onFailureOf)?.title ?? s.onFailureOf}" fails` : "";
    lines.push(`  ${MARK[s.decision]}  ${s.title}${when}${s.reason ? `  (${s.reason})` : ""}`);
  }
  for (const u of plan.unobserved) lines.push(`  not observed: ${u.what}: ${u.why}`);
  for (const b of plan.blockers) lines.push(`  blocked: ${b.message}\n    fix: ${b.fix}`);
  return lines;
}
