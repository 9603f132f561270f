import { describe, expect, it } from "vitest";
import { dockerfileFacts, isDockerfile, readDockerfile } from "./dockerfiles.js";
import { memoryRepo } from "./util.js";

const read = (text: string) => readDockerfile("Dockerfile", text, ".") ?? { dockerfile: "", context: "" };

describe("isDockerfile", () => {
  it.each(["Dockerfile", "dockerfile", "api/Dockerfile.prod", "web.Dockerfile", "Containerfile", "x/worker.dockerfile"])("recognises %s", (p) => {
    expect(isDockerfile(p)).toBe(true);
  });
  it.each(["Dockerfile.dockerignore", "docs/Dockerfile.md", "Dockerfiles/readme", "mydockerfile.txt"])("ignores %s", (p) => {
    expect(isDockerfile(p)).toBe(false);
  });
});

describe("readDockerfile", () => {
  it("reads the last stage's name, first EXPOSE and exec-form CMD", () => {
    const fact = read(`FROM node:22 AS build\nEXPOSE 9999\nRUN npm ci\nFROM node:22-slim AS runtime\nEXPOSE 3000/tcp\nEXPOSE 4000\nCMD ["node", "server.js"]\n`);
    expect(fact).toEqual({ dockerfile: "Dockerfile", context: ".", target: "runtime", port: 3000, command: ["node", "server.js"], stages: { build: { port: 9999 } } });
  });

  it("reads each earlier named stage, for a compose build.target, from that stage alone", () => {
    const fact = read(`FROM golang AS builder\nENV PORT=9000\nCMD ["/code/bin/app"]\nFROM builder AS dev-envs\nCMD ["go", "run", "main.go"]\nFROM scratch\nCMD ["/app"]\n`);
    expect(fact?.stages).toEqual({ builder: { port: 9000, command: ["/code/bin/app"] }, "dev-envs": { port: 9000, command: ["go", "run", "main.go"] } });
    // The last stage, built FROM scratch, has no port of the builder's.
    expect(fact?.port).toBeUndefined();
    expect(fact?.target).toBeUndefined();
  });

  it("gives no target for a single stage", () => {
    expect(read("FROM alpine AS only\nCMD [\"true\"]").target).toBeUndefined();
  });

  it("falls back to ENV PORT in both forms, across continuation lines", () => {
    expect(read("FROM node\nENV NODE_ENV=production \\\n    PORT=3000\n").port).toBe(3000);
    expect(read("FROM node\nENV PORT 8080\n").port).toBe(8080);
  });

  it("expands ARG defaults in EXPOSE", () => {
    expect(read("ARG APP_PORT=7000\nFROM python\nARG APP_PORT\nEXPOSE ${APP_PORT}\n").port).toBe(7000);
    expect(read("FROM python\nEXPOSE ${PORT:-5050}\n").port).toBe(5050);
  });

  it("inherits EXPOSE and CMD from an earlier stage it is built FROM", () => {
    const fact = read(`FROM node:22 AS base\nEXPOSE 3000\nCMD ["node","a.js"]\nFROM base AS prod\nRUN true\n`);
    expect(fact?.port).toBe(3000);
    expect(fact?.command).toEqual(["node", "a.js"]);
  });

  it("reads the HEALTHCHECK path from curl and wget", () => {
    expect(read("FROM x\nEXPOSE 3000\nHEALTHCHECK --interval=10s CMD curl -fsS http://localhost:3000/healthz || exit 1\n").health).toBe("/healthz");
    expect(read('FROM x\nHEALTHCHECK CMD ["wget", "-qO-", "http://127.0.0.1:${PORT}/up"]\n').health).toBe("/up");
    expect(read("FROM x\nHEALTHCHECK CMD curl -f http://localhost:8080 || exit 1\n").health).toBe("/");
    expect(read("FROM x\nHEALTHCHECK NONE\n").health).toBeUndefined();
  });

  it("joins exec-form ENTRYPOINT and CMD, and reports no command for shell form", () => {
    expect(read('FROM x\nENTRYPOINT ["tini", "--"]\nCMD ["app"]\n').command).toEqual(["tini", "--", "app"]);
    expect(read("FROM x\nCMD node server.js\n").command).toBeUndefined();
    expect(read('FROM x\nENTRYPOINT /start.sh\nCMD ["x"]\n').command).toBeUndefined();
  });

  it("yields nothing for a file without FROM and never throws on garbage", () => {
    expect(readDockerfile("Dockerfile", "hello\n\\\n", ".")).toBeUndefined();
    expect(() => read('FROM x\nCMD ["unterminated\nEXPOSE ${${${\nENV\nARG\n' + "\\".repeat(5000))).not.toThrow();
  });
});

describe("dockerfileFacts", () => {
  it("uses the Dockerfile's directory as context unless compose gave one", () => {
    const repo = memoryRepo({ "services/api/Dockerfile": "FROM node\n", "Dockerfile.worker": "FROM node\n" });
    const facts = dockerfileFacts(repo, new Map([["services/api/Dockerfile", "."]]));
    expect(facts.map((f) => f.kind === "dockerfile" && [f.value.dockerfile, f.value.context, f.source])).toEqual([
      ["Dockerfile.worker", ".", "Dockerfile.worker"],
      ["services/api/Dockerfile", ".", "services/api/Dockerfile"],
    ]);
  });
});
