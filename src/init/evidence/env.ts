import type { Found, RepoView } from "../facts.js";
import { basename, found, splitLines } from "./util.js";

const EXAMPLE_FILES = new Set([".env.example", ".env.sample", ".env.template", "example.env", ".env.dist", "env.example", "sample.env"]);

const NAME = "([A-Za-z_][A-Za-z0-9_]{0,127})";
const Q = `["'\`]`;
const READERS: Record<string, RegExp[]> = {
  js: [new RegExp(`process\\.env\\.${NAME}\\b`, "g"), new RegExp(`process\\.env\\[\\s*${Q}${NAME}${Q}\\s*\\]`, "g"), new RegExp(`import\\.meta\\.env\\.${NAME}\\b`, "g")],
  py: [
    new RegExp(`os\\.environ\\[\\s*${Q}${NAME}${Q}\\s*\\]`, "g"),
    new RegExp(`(?:os\\.)?environ\\.get\\(\\s*${Q}${NAME}${Q}`, "g"),
    new RegExp(`os\\.getenv\\(\\s*${Q}${NAME}${Q}`, "g"),
    // django-environ and python-decouple read variables through a helper named env/config.
    new RegExp(`\\b(?:env(?:\\.(?:str|int|bool|list|url|db_url|db|cache_url|float|json))?|config)\\(\\s*${Q}${NAME}${Q}`, "g"),
  ],
  rb: [new RegExp(`ENV\\[\\s*${Q}${NAME}${Q}\\s*\\]`, "g"), new RegExp(`ENV\\.fetch\\(\\s*${Q}${NAME}${Q}`, "g")],
  go: [new RegExp(`os\\.(?:Getenv|LookupEnv)\\(\\s*"${NAME}"`, "g")],
  jvm: [new RegExp(`System\\.getenv\\(\\s*"${NAME}"`, "g")],
  php: [new RegExp(`\\b(?:env|getenv)\\(\\s*${Q}${NAME}${Q}`, "g"), new RegExp(`\\$_(?:ENV|SERVER)\\[\\s*${Q}${NAME}${Q}\\s*\\]`, "g")],
  rs: [new RegExp(`env::var(?:_os)?\\(\\s*"${NAME}"`, "g"), new RegExp(`\\benv!\\(\\s*"${NAME}"`, "g")],
};
const BY_EXT: Record<string, string> = { js: "js", ts: "js", mjs: "js", cjs: "js", jsx: "js", tsx: "js", py: "py", rb: "rb", go: "go", java: "jvm", kt: "jvm", php: "php", rs: "rs" };

// Names a test suite or a tool reads are not the application's configuration.
const TEST_FILE = /(?:^|\/)(?:tests?|spec|__tests__|__mocks__|e2e|cypress|fixtures?)\/|[._-](?:test|spec)\.[a-z]+$|_test\.go$|(?:^|\/)test_[^/]*\.py$|(?:^|\/)conftest\.py$/;
const MAX_FILES = 2000;
const MAX_LINE = 4000;

export function exampleEnvFacts(repo: RepoView): Found[] {
  const out: Found[] = [];
  for (const path of repo.files.filter((f) => EXAMPLE_FILES.has(basename(f)))) {
    splitLines(repo.read(path) ?? "").forEach((line, i) => {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]{0,127})\s*=/.exec(line);
      if (m) out.push(found({ kind: "env", value: { name: m[1] as string, from: "example" } }, `${path}:${i + 1}`));
    });
  }
  return out;
}

export function sourceFiles(repo: RepoView): string[] {
  return repo.files.filter((f) => BY_EXT[f.slice(f.lastIndexOf(".") + 1)] !== undefined && !TEST_FILE.test(f) && !/\.min\.js$/.test(f)).slice(0, MAX_FILES);
}

// A variable read as the path of a file to open: its value is a path, never the secret itself.
const FILE_READ = new RegExp(
  `\\b(?:readFileSync|readFile|open|File\\.read|IO\\.read|ReadFile|Path)\\(\\s*(?:process\\.env\\.${NAME}|process\\.env\\[\\s*${Q}${NAME}${Q}\\s*\\]|os\\.environ\\[\\s*${Q}${NAME}${Q}\\s*\\]|os\\.(?:environ\\.get|getenv)\\(\\s*${Q}${NAME}${Q}|ENV(?:\\.fetch\\(|\\[)\\s*${Q}${NAME}${Q}|os\\.Getenv\\(\\s*"${NAME}")`,
  "g",
);

/** Names a line reads as a file's path. */
function fileReads(line: string): string[] {
  return [...line.matchAll(FILE_READ)].map((m) => m.slice(1).find((g) => g !== undefined) as string);
}

/** Fields of a pydantic BaseSettings class: each upper-case field is a variable it reads. */
function settingsFields(lines: string[]): [string, number][] {
  const out: [string, number][] = [];
  let indent = -1;
  lines.forEach((line, i) => {
    if (/^\s*class\s+\w+\s*\([^)]*\bBaseSettings\b[^)]*\)\s*:/.test(line)) {
      indent = /^\s*/.exec(line)?.[0].length ?? 0;
      return;
    }
    if (indent < 0 || line.trim() === "" || /^\s*#/.test(line)) return;
    const own = /^\s*/.exec(line)?.[0].length ?? 0;
    if (own <= indent) {
      indent = -1;
      return;
    }
    const field = /^\s+([A-Z][A-Z0-9_]{1,127})\s*:\s*[\w[]/.exec(line)?.[1];
    if (field) out.push([field, i]);
  });
  return out;
}

// Rails reads variables in ERB inside its YAML config (database.yml's ENV.fetch('POSTGRES_HOST')).
const RAILS_CONFIG = /(?:^|\/)config\/[\w.-]+\.yml(?:\.erb)?$/;

/** Variables the code reads, each once, at its first reading. */
export function codeEnvFacts(repo: RepoView): Found[] {
  const seen = new Set<string>();
  const files = new Set<string>();
  const out: Found[] = [];
  const configs = repo.files.filter((f) => RAILS_CONFIG.test(f) && !TEST_FILE.test(f));
  for (const path of [...sourceFiles(repo), ...configs]) {
    const readers = RAILS_CONFIG.test(path) ? (READERS.rb as RegExp[]) : (READERS[BY_EXT[path.slice(path.lastIndexOf(".") + 1)] ?? ""] ?? []);
    const text = repo.read(path);
    if (text && path.endsWith(".py") && /BaseSettings/.test(text)) {
      for (const [name, i] of settingsFields(splitLines(text))) {
        if (seen.has(name)) continue;
        seen.add(name);
        out.push(found({ kind: "env", value: { name, from: "code" } }, `${path}:${i + 1}`));
      }
    }
    // Most files read no variables; skipping them whole keeps large sources cheap.
    if (!text || !/env/i.test(text)) continue;
    splitLines(text).forEach((line, i) => {
      if (line.length > MAX_LINE) return;
      for (const name of fileReads(line)) files.add(name);
      for (const re of readers) {
        for (const m of line.matchAll(re)) {
          const name = m[1] as string;
          if (seen.has(name)) continue;
          seen.add(name);
          out.push(found({ kind: "env", value: { name, from: "code" } }, `${path}:${i + 1}`));
        }
      }
      const destructured = /\{([^{}]{1,400})\}\s*=\s*process\.env\b/.exec(line);
      if (!destructured) return;
      for (const part of (destructured[1] as string).split(",")) {
        const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(part)?.[1];
        if (!name || seen.has(name)) continue;
        seen.add(name);
        out.push(found({ kind: "env", value: { name, from: "code" } }, `${path}:${i + 1}`));
      }
    });
  }
  for (const f of out) if (f.kind === "env" && (files.has(f.value.name) || /_FILE$/.test(f.value.name))) f.value.file = true;
  return out;
}

export function envFacts(repo: RepoView): Found[] {
  return [...exampleEnvFacts(repo), ...codeEnvFacts(repo)];
}
