import { describe, expect, it } from "vitest";
import type { Manifest, RenderedResource } from "./manifests.js";
import { compareRenders, parityOk } from "./parity.js";

const res = (object: Partial<Manifest> & { kind: string; name: string; spec?: unknown }): RenderedResource => ({
  source: "t.yaml",
  object: { apiVersion: "v1", kind: object.kind, metadata: { name: object.name, namespace: "app" }, ...(object.spec ? { spec: object.spec } : {}) } as Manifest,
});

describe("compareRenders", () => {
  it("explains a field by the values path that differs", () => {
    const report = compareRenders(
      { resources: [res({ kind: "Deployment", name: "web", spec: { replicas: 1, image: "localhost:5001/web:abc" } })], values: { replicas: 1, repo: "localhost:5001/web" } },
      { resources: [res({ kind: "Deployment", name: "web", spec: { replicas: 3, image: "ecr.example/web:abc" } })], values: { replicas: 3, repo: "ecr.example/web" } },
    );
    expect(report.unexpected).toEqual([]);
    expect(report.expected.map((d) => [d.path, d.because])).toEqual([
      ["spec.image", "repo"],
      ["spec.replicas", "replicas"],
    ]);
    expect(parityOk(report)).toBe(true);
  });

  it("explains a list element present on one side only by the longer values list, but not a stray constant", () => {
    const entry = (name: string) => ({ secretKey: name, remoteRef: { key: "app", property: name } });
    const report = compareRenders(
      { resources: [res({ kind: "ExternalSecret", name: "s", spec: { data: [entry("A"), entry("B")] } })], values: { names: ["A", "B"] } },
      { resources: [res({ kind: "ExternalSecret", name: "s", spec: { data: [entry("A")] } })], values: { names: ["A"] } },
    );
    expect(report.unexpected).toEqual([]);
    expect(report.expected.map((d) => [d.path, d.because])).toEqual([
      ["spec.data[1].remoteRef.key", "names[1]"],
      ["spec.data[1].remoteRef.property", "names[1]"],
      ["spec.data[1].secretKey", "names[1]"],
    ]);
    const stray = compareRenders(
      { resources: [res({ kind: "ExternalSecret", name: "s", spec: { data: [entry("A"), { remoteRef: { key: "app" } }] } })], values: { names: ["A"] } },
      { resources: [res({ kind: "ExternalSecret", name: "s", spec: { data: [entry("A")] } })], values: { names: ["A"] } },
    );
    expect(stray.unexpected.map((d) => d.path)).toEqual(["spec.data[1].remoteRef.key"]);
  });

  it("flags a difference no value explains", () => {
    const report = compareRenders(
      { resources: [res({ kind: "Deployment", name: "web", spec: { debug: false } })], values: { x: 1 } },
      { resources: [res({ kind: "Deployment", name: "web", spec: { debug: true } })], values: { x: 2 } },
    );
    expect(report.unexpected).toEqual([{ resource: "Deployment/app/web", path: "spec.debug", a: false, b: true }]);
    expect(parityOk(report)).toBe(false);
  });

  it("requires the same value path on both sides, not any coincidence", () => {
    const report = compareRenders(
      { resources: [res({ kind: "Service", name: "s", spec: { a: "x1" } })], values: { p: "x1", q: "y1" } },
      { resources: [res({ kind: "Service", name: "s", spec: { a: "y2" } })], values: { p: "x2", q: "y2" } },
    );
    expect(report.unexpected).toHaveLength(1);
  });

  it("accepts fields under a branch the values chose", () => {
    const report = compareRenders(
      { resources: [res({ kind: "Store", name: "s", spec: { provider: { kubernetes: { ns: "secrets" } } } })], values: { provider: "kubernetes" } },
      { resources: [res({ kind: "Store", name: "s", spec: { provider: { aws: { region: "eu" } } } })], values: { provider: "aws" } },
    );
    expect(report.unexpected).toEqual([]);
    expect(report.expected).toHaveLength(2);
  });

  it("lists resources that exist on one side only", () => {
    const report = compareRenders(
      { resources: [res({ kind: "Service", name: "a" }), res({ kind: "PodDisruptionBudget", name: "a" })], values: {} },
      { resources: [res({ kind: "Service", name: "a" })], values: {} },
    );
    expect(report.onlyInA).toEqual(["PodDisruptionBudget/app/a"]);
    expect(parityOk(report)).toBe(false);
  });

  it("treats pod-rolling checksums as derived", () => {
    const report = compareRenders(
      { resources: [res({ kind: "Deployment", name: "w", spec: { template: { metadata: { annotations: { "checksum/env": "aa" } } } } })], values: { env: { A: "1" } } },
      { resources: [res({ kind: "Deployment", name: "w", spec: { template: { metadata: { annotations: { "checksum/env": "bb" } } } } })], values: { env: { A: "2" } } },
    );
    expect(report.expected[0]?.because).toBe("hash of differing values");
  });

  it("explains each field of a config file held as text by the values that differ", () => {
    const config = (host: string, tls: boolean) => `global:\n  smtp_smarthost: ${host}\n  smtp_require_tls: ${tls}\nroute:\n  receiver: none\n`;
    const report = compareRenders(
      { resources: [res({ kind: "ConfigMap", name: "am", spec: { "alertmanager.yml": config("smtp.local:1025", false) } })], values: { am: { global: { smtp_smarthost: "smtp.local:1025", smtp_require_tls: false } } } },
      { resources: [res({ kind: "ConfigMap", name: "am", spec: { "alertmanager.yml": config("email-smtp.example:587", true) } })], values: { am: { global: { smtp_smarthost: "email-smtp.example:587", smtp_require_tls: true } } } },
    );
    expect(report.unexpected).toEqual([]);
    expect(report.expected.map((d) => [d.path, d.because])).toEqual([
      ["spec.alertmanager.yml > global.smtp_require_tls", "am.global.smtp_require_tls"],
      ["spec.alertmanager.yml > global.smtp_smarthost", "am.global.smtp_smarthost"],
    ]);
  });

  it("never reports a Secret's values, only that they differ", () => {
    const canary = "canary-secret-0123456789";
    const secret = (value: string) => ({ source: "t.yaml", object: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "app" }, data: { password: Buffer.from(value).toString("base64") } } as Manifest });
    const report = compareRenders({ resources: [secret(canary)], values: {} }, { resources: [secret("another-value-9876543210")], values: {} });
    expect(report.unexpected).toHaveLength(1);
    const text = JSON.stringify(report);
    for (const form of [canary, Buffer.from(canary).toString("base64"), Buffer.from(canary).toString("hex")]) expect(text).not.toContain(form);
    expect(report.unexpected[0]?.a).toMatch(/^\(secret value [0-9a-f]{8}\)$/);
    // Equal values mask alike, so equal Secrets show no difference.
    expect(compareRenders({ resources: [secret(canary)], values: {} }, { resources: [secret(canary)], values: {} }).unexpected).toEqual([]);
  });

  it("keeps differences in a config file that a YAML 1.2 reading would hide", () => {
    const file = (port: string, version: string, mode: string) => ({ "config.yaml": `port: ${port}\nversion: ${version}\nmode: ${mode}\n` });
    const report = compareRenders(
      { resources: [res({ kind: "ConfigMap", name: "c", spec: file("3100", "1.10", "0644") })], values: {} },
      { resources: [res({ kind: "ConfigMap", name: "c", spec: file("0xC1C", "1.1", "644") })], values: {} },
    );
    expect(report.unexpected.map((d) => d.path)).toEqual(["spec.config.yaml > mode", "spec.config.yaml > port", "spec.config.yaml > version"]);
  });
});
