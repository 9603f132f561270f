import { goYaml } from "../config/go-yaml.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DevstackError } from "../errors.js";
import { run, type RunResult } from "../process/run.js";
import { upgradeArgs } from "./helm-args.js";
import { resolveHelm } from "./helm-binary.js";

/** Runs helm with an argument array; its stderr is relayed in the error when it fails. */
export async function helm(args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const binary = await resolveHelm();
  return run(binary.path, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    timeoutMs: options.timeoutMs ?? 120_000,
  });
}

export function helmFailure(what: string, result: RunResult, fix?: string): DevstackError {
  const output = (result.stderr || result.stdout).trim().split("\n").slice(-15).join("\n");
  return new DevstackError(`${what} failed (helm exit ${result.exitCode}):\n${output}`, { kind: "helm", ...(fix ? { fix } : {}) });
}

// YAML, helm's own format: helm 4.1.4 misreads a one-line JSON values file of exactly 8192 bytes (seen here).
export const valuesYaml = (values: unknown) => goYaml(values);

/**
 * Values go to helm in a private temporary file (mode 0600), never on the
 * command line, and the file is gone when the call returns.
 */
export async function withValuesFile<T>(values: unknown, use: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "devstack-values-"));
  const file = join(dir, "values.yaml");
  try {
    writeFileSync(file, valuesYaml(values), { mode: 0o600 });
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TemplateOptions {
  release: string;
  chart: string;
  namespace: string;
  values: unknown;
  kubeVersion: string;
}

/** `helm template --include-crds`: what an install applies, the charts' `crds/` folders included. */
export function templateArgs(options: TemplateOptions): string[] {
  return ["template", options.release, options.chart, "--namespace", options.namespace, "--kube-version", options.kubeVersion, "--include-crds"];
}

export async function helmTemplate(options: TemplateOptions): Promise<string> {
  return withValuesFile(options.values, async (file) => {
    const result = await helm([...templateArgs(options), "--values", file]);
    if (result.exitCode !== 0) throw helmFailure(`helm template of ${options.chart}`, result, "the values above break the chart's contract; run `devstack config` to check the config they come from");
    return result.stdout;
  });
}

export interface LintResult {
  ok: boolean;
  output: string;
}

export async function helmLint(chart: string, values: unknown, kubeVersion: string): Promise<LintResult> {
  return withValuesFile(values, async (file) => {
    const result = await helm(["lint", chart, "--strict", "--kube-version", kubeVersion, "--values", file]);
    return { ok: result.exitCode === 0, output: (result.stdout + result.stderr).trim() };
  });
}

export interface UpgradeOptions {
  release: string;
  chart: string;
  namespace: string;
  values: unknown;
  kubeconfig: string;
  context?: string;
  timeout: string;
  description?: string;
}

/** `helm upgrade --install --atomic --wait`: the release either becomes ready or is rolled back. */
export async function helmUpgrade(options: UpgradeOptions): Promise<void> {
  await withValuesFile(options.values, async (valuesFile) => {
    const result = await helm(upgradeArgs({ ...options, valuesFile }), { timeoutMs: 30 * 60_000 });
    if (result.exitCode !== 0) throw helmFailure(`helm upgrade of ${options.release}`, result, "the previous release is still serving (--atomic rolled it back); the output above says why");
  });
}
