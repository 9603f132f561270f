import { stringify } from "yaml";

/**
 * YAML that Go programs read (helm values, Kubernetes manifests, Alertmanager
 * and Loki rules): written in YAML 1.1 terms, so a string that YAML 1.1
 * would read as something else ("on", "y", "no", "0777", "~", a date) is
 * quoted, and stays the string devstack.yaml said it was.
 */
export function goYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, version: "1.1" });
}
