import { describe, expect, it } from "vitest";
import { parseToml } from "./toml.js";
import { commandWords, dnsLabel, healthPath, joinPath, words } from "./util.js";

describe("words", () => {
  it("respects quotes and escapes", () => {
    expect(words(`a "b c" 'd "e"' f\\ g ""`)).toEqual(["a", "b c", 'd "e"', "f g", ""]);
    expect(commandWords("npm run a | tee x")).toEqual(["sh", "-c", "npm run a | tee x"]);
  });
});

describe("small helpers", () => {
  it("joins and normalises paths", () => {
    expect(joinPath("deploy", "../api/")).toBe("api");
    expect(joinPath(".", ".")).toBe(".");
    expect(dnsLabel("@acme/Web_Shop")).toBe("web-shop");
    expect(healthPath("curl http://example.com/health")).toBeUndefined();
  });
});

describe("parseToml", () => {
  it("reads tables, arrays of tables, inline tables and multi-line arrays", () => {
    const doc = parseToml(`app = "x" # c\n[http_service]\ninternal_port = 8_080\n[[http_service.checks]]\npath = "/healthz"\n[dependencies]\nsqlx = { version = "0.7", features = ["postgres",\n  "runtime-tokio"] }\n[project]\ndependencies = [\n  "django>=5", # web\n  'celery[redis]',\n]\ndesc = """\nmulti\n"""\n`);
    expect(doc).toEqual({
      app: "x",
      http_service: { internal_port: 8080, checks: [{ path: "/healthz" }] },
      dependencies: { sqlx: { version: "0.7", features: ["postgres", "runtime-tokio"] } },
      project: { dependencies: ["django>=5", "celery[redis]"], desc: "multi\n" },
    });
  });

  it("returns undefined on malformed input", () => {
    for (const bad of ["a = ", "[a", "a = [1,", "a = {b = }", "x = 1 2", "a = 1\n[a]\n", '"unterminated = 1']) expect(parseToml(bad)).toBeUndefined();
    expect(parseToml("[".repeat(10000))).toBeUndefined();
  });
});
