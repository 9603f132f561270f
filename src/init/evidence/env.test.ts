import { describe, expect, it } from "vitest";
import { codeEnvFacts, exampleEnvFacts } from "./env.js";
import { memoryRepo } from "./util.js";

const names = (facts: { value: unknown }[]) => facts.map((f) => (f.value as { name: string }).name);

describe("exampleEnvFacts", () => {
  it("reads names from every example file form", () => {
    const repo = memoryRepo({
      ".env.example": "# comment\nDATABASE_URL=postgres://\nexport SECRET_KEY=\n\nnot a var\n",
      "api/.env.sample": "A=1",
      ".env.template": "B=",
      "example.env": "C = 3",
      ".env": "REAL=secret",
    });
    const facts = exampleEnvFacts(repo);
    expect(names(facts).sort()).toEqual(["A", "B", "C", "DATABASE_URL", "SECRET_KEY"]);
    expect(facts.find((f) => f.source === ".env.example:3")?.value).toEqual({ name: "SECRET_KEY", from: "example" });
  });
});

describe("codeEnvFacts", () => {
  it.each([
    ["a.js", "const u = process.env.DATABASE_URL;"],
    ["a.ts", 'const u = process.env["DATABASE_URL"];'],
    ["a.mjs", "const { DATABASE_URL, PORT: p = 3 } = process.env;"],
    ["a.py", 'url = os.environ["DATABASE_URL"]'],
    ["b.py", 'url = os.environ.get("DATABASE_URL", "")'],
    ["c.py", "url = os.getenv('DATABASE_URL')"],
    ["d.py", 'url = env("DATABASE_URL")'],
    ["a.rb", 'url = ENV["DATABASE_URL"]'],
    ["b.rb", 'url = ENV.fetch("DATABASE_URL") { "x" }'],
    ["a.go", 'u := os.Getenv("DATABASE_URL")'],
    ["A.java", 'String u = System.getenv("DATABASE_URL");'],
    ["a.kt", 'val u = System.getenv("DATABASE_URL")'],
    ["a.php", "'url' => env('DATABASE_URL'),"],
    ["b.php", "$u = getenv('DATABASE_URL');"],
    ["a.rs", 'let u = std::env::var("DATABASE_URL")?;'],
  ])("finds the read in %s", (path, line) => {
    const facts = codeEnvFacts(memoryRepo({ [path]: `\n${line}\n` }));
    expect(facts[0]).toEqual({ kind: "env", value: { name: "DATABASE_URL", from: "code" }, source: `${path}:2`, confirmed: true });
  });

  it("reports each name once, skips tests, other languages' idioms and unknown extensions", () => {
    const repo = memoryRepo({
      "src/a.ts": "process.env.A; process.env.A; process.env.B",
      "src/a.test.ts": "process.env.TEST_ONLY",
      "tests/test_x.py": 'os.environ["TEST_ONLY"]',
      "src/x.py": 'process.env.NOT_PY; os.getenv("C")',
      "notes.md": "process.env.DOCS",
    });
    expect(names(codeEnvFacts(repo))).toEqual(["A", "B", "C"]);
  });

  it("survives hostile lines", () => {
    const repo = memoryRepo({ "a.js": `${"{".repeat(50000)} = process.env ${"process.env[".repeat(2000)}`, "b.py": "os.environ.get(" + "'".repeat(100000) });
    expect(() => codeEnvFacts(repo)).not.toThrow();
  });
});
