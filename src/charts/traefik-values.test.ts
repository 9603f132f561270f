import { describe, expect, it } from "vitest";
import { budgetOf } from "./platform-budget.js";
import { k3sTraefikValues, traefikChartValues } from "./traefik-values.js";

describe("Traefik in both chart dialects", () => {
  const resources = budgetOf("traefik", "traefik");

  it("writes JSON logs and access logs with each chart's own keys", () => {
    expect(traefikChartValues(resources)).toEqual({ log: { format: "json" }, accessLog: { enabled: true, format: "json" }, resources });
    expect(k3sTraefikValues(resources)).toEqual({ logs: { general: { format: "json" }, access: { enabled: true, format: "json" } }, resources });
  });

  it("gives k3s's Traefik the profile's image override", () => {
    expect(k3sTraefikValues(resources, "mirror.example/hub/library/traefik:v3.5.1").image).toEqual({ registry: "mirror.example/hub/library", repository: "traefik", tag: "v3.5.1" });
  });
});
