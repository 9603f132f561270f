import { describe, expect, it } from "vitest";
import { platformImageNames } from "../config/schema/profile.js";
import { mirrored, PLATFORM_IMAGE_NAMES, platformImageValues, splitReference } from "./platform-images.js";

describe("the platform's images", () => {
  it("are the names a profile can override", () => {
    expect([...PLATFORM_IMAGE_NAMES].sort()).toEqual([...platformImageNames].sort());
  });

  it("move to a mirror by registry host, keeping each chart's own tag", () => {
    const values = platformImageValues({ mirror: "mirror.corp.example/hub/", overrides: {} });
    expect(values["cert-manager"]).toMatchObject({ image: { repository: "mirror.corp.example/hub/jetstack/cert-manager-controller" }, acmesolver: { image: { repository: "mirror.corp.example/hub/jetstack/cert-manager-acmesolver" } } });
    // Charts that join registry and repository get both halves.
    expect(values.traefik).toEqual({ image: { registry: "mirror.corp.example/hub/library", repository: "traefik" } });
    expect(values.loki).toMatchObject({ loki: { image: { registry: "mirror.corp.example/hub/grafana", repository: "loki" } }, sidecar: { image: { registry: "mirror.corp.example/hub/kiwigrid", repository: "k8s-sidecar" } } });
    expect(JSON.stringify(values)).not.toMatch(/"tag"/);
    expect(mirrored("docker.io/library/traefik", "m.example")).toBe("m.example/library/traefik");
  });

  it("take an override per image, tag (and digest) included, over the mirror", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const values = platformImageValues({ mirror: "m.example", overrides: { "external-secrets": "reg.example/eso/eso:v2.9.0", grafana: `reg.example/g/grafana:13.2.0@${digest}` } });
    expect(values["external-secrets"]).toEqual({
      image: { repository: "reg.example/eso/eso", tag: "v2.9.0" },
      webhook: { image: { repository: "reg.example/eso/eso", tag: "v2.9.0" } },
      certController: { image: { repository: "reg.example/eso/eso", tag: "v2.9.0" } },
    });
    expect(values.grafana).toEqual({ image: { registry: "reg.example/g", repository: "grafana", tag: `13.2.0@${digest}` } });
    expect(values.alertmanager).toEqual({ image: { repository: "m.example/prometheus/alertmanager" } });
  });

  it("change nothing without a mirror or an override", () => {
    expect(platformImageValues({ overrides: {} })).toEqual({});
    expect(splitReference("reg:5000/a/b:1.2")).toEqual({ repository: "reg:5000/a/b", tag: "1.2" });
    expect(splitReference("reg:5000/a/b")).toEqual({ repository: "reg:5000/a/b" });
  });
});
