import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { renderImage, renderProfile } from "../../src/charts/render.js";
import { loadConfig } from "../../src/config/resolve.js";
import { ConfigError, DevstackError, formatIssue } from "../../src/errors.js";
import { HELLO } from "../support/cli.js";
import { describeWithEngine } from "../support/engines.js";
import { helmMissing } from "../support/helm.js";

// Seeded mutations of examples/hello, run through what `devstack config`
// and `devstack render` do. Every outcome must be valid (exit 0) or a config
// error at a position (exit 2): no other failure, no config that resolves
// and then fails to render, and no library's own words in a message.
const SEED = Number(process.env.DEVSTACK_FUZZ_SEED ?? 20261202);
const COUNT = Number(process.env.DEVSTACK_FUZZ_COUNT ?? 300);
const BUDGET_MS = Number(process.env.DEVSTACK_FUZZ_MS ?? 120_000);

/** mulberry32: a small seeded generator, so a failure can be run again. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  ":", "- ", "[", "]", "{", "}", '"', "'", "&a ", "*a", "!!str ", "!!binary ", "\t", "# ", "---\n", "${url}", "${nope}", "${", "on", "yes", "~", "null", "0777", "1e3",
  "🚀", "é", "\\0", '"\\0"', '"\\u0007"', "x".repeat(300), "-1", "0", "99999", "1.5", "true", "[]", "{}", "''", "@daily", "61 * * * *", "0 0 31 2 *", "256MB", "1Gi", "5m",
  ") OR (1=1", "; drop table visits", "-- c", "Europe/Berln", "UPPER", "a-b", "A_B", "\n  extra: 1", "\n- item", "  ",
];

function mutate(text: string, next: () => number): string {
  const pick = <T,>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const lines = text.split("\n");
  const at = Math.floor(next() * lines.length);
  switch (Math.floor(next() * 7)) {
    case 0:
      lines.splice(at, 1);
      break;
    case 1:
      lines.splice(at, 0, lines[at] ?? "");
      break;
    case 2: {
      const other = Math.floor(next() * lines.length);
      [lines[at], lines[other]] = [lines[other] ?? "", lines[at] ?? ""];
      break;
    }
    case 3: {
      const line = lines[at] ?? "";
      const col = Math.floor(next() * (line.length + 1));
      lines[at] = line.slice(0, col) + pick(TOKENS) + line.slice(col);
      break;
    }
    case 4:
      lines[at] = (lines[at] ?? "").replace(/:\s.*$/, `: ${pick(TOKENS)}`);
      break;
    case 5:
      lines[at] = next() < 0.5 ? ` ${lines[at] ?? ""}` : (lines[at] ?? "").replace(/^ /, "");
      break;
    default:
      lines[at] = (lines[at] ?? "").replace(/[a-z]/, (c) => pick(["", c.toUpperCase(), `${c}${c}`, "_"]));
  }
  return lines.join("\n");
}

// Words of the libraries underneath, which a user should never have to read.
const INTERNAL = /Invalid input|please use|YAML\.parse|ZodError|YAMLParseError|unexpected failure|report it|Cannot read propert|undefined is not|\bat line \d|^\s+at /m;

describeWithEngine("helm", helmMissing(), "a seeded mutation fuzz of config and render", () => {
  const dir = mkdtempSync(join(tmpdir(), "devstack-fuzz-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`resolves or refuses every mutation at a position, and renders whatever resolves (seed ${SEED})`, async () => {
    cpSync(HELLO, dir, { recursive: true, filter: (p) => !p.includes("node_modules") });
    const app = readFileSync(join(HELLO, "devstack.yaml"), "utf8");
    const profile = readFileSync(join(HELLO, "profiles", "local.yaml"), "utf8");
    const next = random(SEED);
    const counts = { runs: 0, valid: 0, exit2: 0, other: 0 };
    const failures: string[] = [];
    const started = Date.now();
    for (let i = 0; i < COUNT && Date.now() - started < BUDGET_MS; i++) {
      let appText = app;
      let profileText = profile;
      const steps = 1 + Math.floor(next() * 3);
      for (let s = 0; s < steps; s++) {
        if (next() < 0.75) appText = mutate(appText, next);
        else profileText = mutate(profileText, next);
      }
      writeFileSync(join(dir, "devstack.yaml"), appText);
      writeFileSync(join(dir, "profiles", "local.yaml"), profileText);
      counts.runs++;
      const where = `mutation ${i} (seed ${SEED})`;
      let config;
      try {
        config = loadConfig({ cwd: dir, profile: "local" });
      } catch (error) {
        if (error instanceof ConfigError) {
          counts.exit2++;
          const text = [error.message, error.fix ?? "", ...error.issues.map(formatIssue)].join("\n");
          if (INTERNAL.test(text)) failures.push(`${where}: internal text in a config error:\n${text}`);
          if (error.issues.some((issue) => issue.line < 1 || issue.column < 1)) failures.push(`${where}: an issue without a position:\n${text}`);
          continue;
        }
        counts.other++;
        failures.push(`${where}: config failed with ${error instanceof DevstackError ? `exit ${error.exitCode}: ${error.message}` : String((error as Error).stack ?? error)}`);
        continue;
      }
      try {
        const renders = await renderProfile(config, await renderImage(config));
        const problems = renders.flatMap((r) => r.problems.map((p) => `${r.release}: ${p.resource} ${p.path}: ${p.message}`));
        if (problems.length > 0) {
          counts.other++;
          failures.push(`${where}: config resolved but render refused it:\n${problems.join("\n")}\n--- devstack.yaml\n${appText}`);
        } else counts.valid++;
      } catch (error) {
        counts.other++;
        failures.push(`${where}: config resolved but render failed: ${(error as Error).message}\n--- devstack.yaml\n${appText}`);
      }
    }
    process.stderr.write(`config fuzz: ${JSON.stringify({ seed: SEED, ...counts, ms: Date.now() - started })}\n`);
    expect(failures.slice(0, 3)).toEqual([]);
    expect(counts.runs).toBeGreaterThan(50);
    expect(counts.valid + counts.exit2).toBe(counts.runs);
  }, BUDGET_MS + 60_000);
});
