import { Document, isScalar, visit } from "yaml";

// Go's YAML readers also take 0o17, 0x1F and 0b11 (any case) as integers,
// which the YAML 1.1 schema writes plain: these are quoted by hand.
const GO_INTEGER = /^[-+]?0[bBoOxX][0-9a-fA-F_]+$/;

/**
 * YAML that Go programs read (helm values, Kubernetes manifests, Alertmanager
 * and Loki rules): written in YAML 1.1 terms, so a string that YAML 1.1 (or
 * Go's number syntax) would read as something else ("on", "y", "no", "0777",
 * "0o17", "~", a date) is quoted, and stays the string devstack.yaml said it was.
 */
export function goYaml(value: unknown): string {
  const doc = new Document(value, { version: "1.1" });
  visit(doc, {
    Scalar(_, node) {
      if (isScalar(node) && typeof node.value === "string" && GO_INTEGER.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ lineWidth: 0 });
}
