import { describe, expect, it } from "vitest";
import { resolveTexts } from "../config/resolve.js";
import { detect, toDnsLabel } from "./detect.js";
import { initFiles } from "./templates.js";

const multiStage = `# syntax=docker/dockerfile:1
FROM node:22 AS build
EXPOSE 9999
RUN npm ci
FROM node:22-slim AS runtime
ENV NODE_ENV=production \\
    PORT=3000
USER node
CMD ["node", "server.js"]
`;

describe("detect", () => {
  it("takes the name from package.json, without its scope", () => {
    expect(detect({ dirName: "x", packageJson: '{"name":"@acme/Web_Shop"}' }).name).toBe("web-shop");
  });

  it("falls back to the directory name", () => {
    expect(detect({ dirName: "My App" }).name).toBe("my-app");
  });

  it("reads EXPOSE from the final stage only, then ENV PORT", () => {
    const found = detect({ dirName: "x", dockerfileName: "Dockerfile", dockerfile: multiStage });
    expect(found.port).toBe(3000);
    expect(found.target).toBe("runtime");
  });

  it("prefers EXPOSE in the final stage", () => {
    expect(detect({ dirName: "x", dockerfile: "FROM alpine\nEXPOSE 5000/tcp\n" }).port).toBe(5000);
  });

  it("assumes 8080 and says so when nothing tells the port", () => {
    const found = detect({ dirName: "x" });
    expect(found.port).toBe(8080);
    expect(found.notes).toContain("no EXPOSE found: port 8080 assumed");
    expect(found.dockerfile).toBeUndefined();
  });

  it("makes valid DNS labels of anything", () => {
    expect(toDnsLabel("123-go")).toBe("go");
    expect(toDnsLabel("---")).toBe("app");
    expect(toDnsLabel("a".repeat(60))).toHaveLength(40);
  });
});

describe("initFiles", () => {
  it("writes an app and two profiles that validate as they are", () => {
    const files = initFiles(detect({ dirName: "shop", dockerfile: multiStage, dockerfileName: "Dockerfile" }), "node_modules/devstack/schemas");
    const [app, ...profiles] = files;
    expect(files.map((f) => f.path)).toEqual(["devstack.yaml", "profiles/local.yaml", "profiles/prod.yaml"]);
    for (const profile of profiles) {
      const config = resolveTexts({ file: "devstack.yaml", text: app?.content ?? "" }, { file: profile.path, text: profile.content }, "p");
      expect(config.app).toMatchObject({ name: "shop", service: { port: 3000 }, build: { target: "runtime" } });
    }
    expect(app?.content).toMatch(/^# yaml-language-server: \$schema=node_modules\/devstack\/schemas\/devstack.schema.json/);
    expect(profiles[0]?.content).toMatch(/^# yaml-language-server: \$schema=\.\.\/node_modules\/devstack\/schemas\/profile.schema.json/);
  });
});
