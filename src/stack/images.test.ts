import { describe, expect, it } from "vitest";
import { imageFor } from "./images.js";

describe("imageFor", () => {
  it("uses the pinned upstream image, with the app's Postgres version", () => {
    expect(imageFor("postgres", { overrides: {} }, "17")).toBe("docker.io/library/postgres:17");
    expect(imageFor("pebble", { overrides: {} })).toBe("ghcr.io/letsencrypt/pebble:2.8.0");
  });

  it("routes every image through a mirror", () => {
    expect(imageFor("registry", { mirror: "mirror.corp.example/hub", overrides: {} })).toBe("mirror.corp.example/hub/library/registry:2.8.3");
    expect(imageFor("pebble", { mirror: "mirror.corp.example/hub/", overrides: {} })).toBe("mirror.corp.example/hub/letsencrypt/pebble:2.8.0");
  });

  it("lets a per-component override win over the mirror", () => {
    expect(imageFor("smtp", { mirror: "m.example", overrides: { smtp: "devstack-standin/smtp:bookworm" } })).toBe("devstack-standin/smtp:bookworm");
  });
});
