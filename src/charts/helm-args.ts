export interface DeployArgs {
  release: string;
  chart: string;
  namespace: string;
  valuesFile: string;
  kubeconfig: string;
  context?: string;
  timeout: string;
  description?: string;
}

/** The argument list of the deploy's `helm upgrade`: atomic, waits, and records devstack's release record. */
export function upgradeArgs(a: DeployArgs): string[] {
  return [
    "upgrade", "--install", a.release, a.chart,
    "--namespace", a.namespace, "--create-namespace",
    "--kubeconfig", a.kubeconfig,
    ...(a.context ? ["--kube-context", a.context] : []),
    "--values", a.valuesFile,
    "--atomic", "--wait", "--wait-for-jobs", "--timeout", a.timeout,
    ...(a.description ? ["--description", a.description] : []),
  ];
}

export function rollbackArgs(a: { release: string; namespace: string; kubeconfig: string; context?: string; revision: number; timeout: string }): string[] {
  return [
    "rollback", a.release, String(a.revision),
    "--namespace", a.namespace,
    "--kubeconfig", a.kubeconfig,
    ...(a.context ? ["--kube-context", a.context] : []),
    "--wait", "--timeout", a.timeout,
  ];
}

export function historyArgs(a: { release: string; namespace: string; kubeconfig: string; context?: string }): string[] {
  return ["history", a.release, "--namespace", a.namespace, "--kubeconfig", a.kubeconfig, ...(a.context ? ["--kube-context", a.context] : []), "--max", "50", "-o", "json"];
}
