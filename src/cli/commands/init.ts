import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { resolveTexts } from "../../config/resolve.js";
import { DevstackError, UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../fs/atomic.js";
import { githubWorkflow } from "../../init/ci.js";
import { databaseNameHint } from "../../init/detect.js";
import { collectFacts, repoView } from "../../init/evidence/index.js";
import type { Found, ServiceKind } from "../../init/facts.js";
import { infer } from "../../init/infer.js";
import { eksProfile, localProfile, schemaLine, type InitFile } from "../../init/templates.js";
import { appYaml } from "../../init/write.js";
import { PACKAGE_ROOT } from "../../package-root.js";
import { colors, err, out, printResult } from "../output.js";

interface Options {
  name?: string;
  port?: string;
  dockerfile?: string;
  context?: string;
  force?: boolean;
  json?: boolean;
  ci?: string;
}

/** Flags are checked before the repository is read: a bad flag is named as such, not as a line of a file not yet written. */
function checkFlags(options: Options, root: string): { port?: number; dockerfile?: string; context?: string } {
  if (options.name !== undefined && !/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(options.name)) {
    throw new UsageError(`--name ${JSON.stringify(options.name)}: expected a DNS label (lower-case letters, digits, -; at most 40 characters)`, "e.g. --name shop");
  }
  let port: number | undefined;
  if (options.port !== undefined) {
    port = Number(options.port);
    if (!/^\d+$/.test(options.port) || port < 1 || port > 65535) throw new UsageError(`--port ${JSON.stringify(options.port)}: expected a port number from 1 to 65535`, "e.g. --port 3000");
  }
  if (options.ci !== undefined && options.ci !== "github") throw new UsageError(`--ci ${JSON.stringify(options.ci)}: expected github (the one CI provider init writes for)`, "use --ci github");
  const inside = (flag: string, path: string, want: "file" | "dir") => {
    const full = resolve(root, path);
    const rel = relative(root, full).split("\\").join("/");
    if (rel.startsWith("..")) throw new UsageError(`${flag} ${JSON.stringify(path)}: expected a path inside ${root}`, "run init from the repository root");
    let found: "file" | "dir" | "missing" = "missing";
    try {
      found = statSync(full).isDirectory() ? "dir" : "file";
    } catch {
      // missing
    }
    if (found !== want) throw new UsageError(`${flag} ${JSON.stringify(path)}: expected ${want === "file" ? "a Dockerfile" : "a directory"}, found ${found === "missing" ? "nothing" : `a ${found === "dir" ? "directory" : "file"}`}`, "paths are relative to the current directory");
    return rel || ".";
  };
  const context = options.context === undefined ? undefined : inside("--context", options.context, "dir");
  // Without --dockerfile, the context's own Dockerfile is meant; docker build would look for it there.
  if (context !== undefined && options.dockerfile === undefined && !["Dockerfile", "Containerfile"].some((f) => existsSync(join(root, context, f)))) {
    throw new UsageError(`--context ${JSON.stringify(options.context)}: expected a directory with a Dockerfile, found none`, "name the Dockerfile with --dockerfile <path>");
  }
  return {
    ...(port === undefined ? {} : { port }),
    ...(options.dockerfile === undefined ? {} : { dockerfile: inside("--dockerfile", options.dockerfile, "file") }),
    ...(context === undefined ? {} : { context }),
  };
}

/** KEY=value lines of the example env files (the root's first): where a repository names its database. */
function exampleValues(view: { files: string[]; read: (path: string) => string | undefined }): Record<string, string> {
  const examples = view.files.filter((f) => /(^|\/)\.env\.(example|sample|template|dist)$/.test(f)).sort((a, b) => a.split("/").length - b.split("/").length);
  const text = examples.map((f) => view.read(f) ?? "").join("\n");
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !(m[1] as string in values)) values[m[1] as string] = (m[2] as string).replace(/^(['"])(.*)\1$/, "$2").replace(/\s+#.*$/, "");
  }
  return values;
}

export async function run(options: Options): Promise<number> {
  const root = resolve(process.cwd());
  const flags = checkFlags(options, root);
  const view = repoView(root);
  const facts = collectFacts(view);
  const values = exampleValues(view);
  const databaseName = databaseNameHint(view, values);
  const { app, guesses, problems } = infer(facts, {
    ...(options.name ? { name: options.name } : {}),
    fallbackName: basename(root),
    ...flags,
    ...(databaseName ? { databaseName } : {}),
  });
  const missing = problems.find((p) => p.startsWith("no Dockerfile"));
  if (missing) throw new UsageError(`${missing.split(":")[0]} in ${root} or below; nothing was written`, missing.slice(missing.indexOf(":") + 2));

  const name = app.name as string;
  const services = (["database", "redis", "storage", "mail"] as ServiceKind[]).filter((s) => app[s] !== undefined);
  const schemaDir = relative(root, join(PACKAGE_ROOT, "schemas")).split("\\").join("/") || ".";
  const header = `${schemaLine(schemaDir, "devstack.schema.json", 0)}# The app. Where it runs is in profiles/<name>.yaml; \`devstack config\` shows the result.\n`;
  // The repository's own toolchain (a manifest at the root) runs its tests, else the main component's.
  const languages = facts.filter((f) => f.kind === "language");
  const mainContext = Object.values(app.components as Record<string, { build?: { context?: string } }>).find((c) => c.build)?.build?.context ?? ".";
  const language = languages.find((f) => !f.source.includes("/")) ?? languages.find((f) => f.source.startsWith(`${mainContext}/`)) ?? languages[0];
  const files: InitFile[] = [
    { path: "devstack.yaml", content: appYaml(app, guesses, header) },
    { path: "profiles/local.yaml", content: localProfile(schemaDir) },
    { path: "profiles/prod.yaml", content: eksProfile(name, schemaDir, services, "prod") },
    ...(options.ci === "github"
      ? [
          // The workflow deploys to staging before prod: a staging profile shaped like prod comes with it.
          { path: "profiles/staging.yaml", content: eksProfile(name, schemaDir, services, "staging") },
          { path: ".github/workflows/devstack.yml", content: githubWorkflow(name, language?.kind === "language" ? language.value : undefined, view.files, externalSecretNames(app)) },
        ]
      : []),
  ];
  const existing = files.filter((f) => existsSync(join(root, f.path))).map((f) => f.path);
  if (existing.length > 0 && !options.force) {
    throw new DevstackError(`${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written`, { fix: "run `devstack init --force` to overwrite them" });
  }
  // Proves what is about to be written is valid, Dockerfiles included, before touching the disk.
  const appFile = files[0] as InitFile;
  for (const profile of files.filter((f) => f.path.startsWith("profiles/"))) {
    resolveTexts({ file: appFile.path, text: appFile.content }, { file: profile.path, text: profile.content }, basename(profile.path, ".yaml"), root);
  }
  for (const file of files) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    await writeFileAtomic(path, file.content);
  }
  for (const problem of problems) err(`warning: ${problem}`);
  if (options.json) {
    printResult("init", {
      written: files.map((f) => f.path),
      facts: facts.map((f) => ({ kind: f.kind, value: f.value, source: f.source, confirmed: f.confirmed })),
      guesses,
    });
    return 0;
  }
  out("found:");
  for (const f of facts) out(`  ${f.kind} ${describe(f)}  ${colors.dim(`(${f.source}${f.confirmed ? "" : ", by convention"})`)}`);
  if (guesses.length > 0) {
    out("guessed (marked `# guess:` in devstack.yaml; check them):");
    for (const g of guesses) out(`  ${g.path}: ${JSON.stringify(g.value)}  ${colors.dim(`(${g.why})`)}`);
  }
  for (const file of files) out(`wrote ${file.path}`);
  out("next: `devstack config` to check the result, then `devstack up`");
  return 0;
}

/** The secrets of the written config that a person (or CI) supplies. */
function externalSecretNames(app: Record<string, unknown>): string[] {
  const secrets = (app.secrets ?? {}) as Record<string, { external?: boolean }>;
  return Object.entries(secrets)
    .filter(([, spec]) => spec.external === true)
    .map(([name]) => name);
}

function describe(f: Found): string {
  switch (f.kind) {
    case "name":
      return f.value;
    case "dockerfile":
      return `${f.value.dockerfile} (context ${f.value.context}${f.value.port ? `, port ${f.value.port}` : ""})`;
    case "process":
      return `${f.value.name} (${f.value.role}${f.value.command ? `: ${f.value.command.join(" ")}` : ""})`;
    case "service":
      return `${f.value.service} (${f.value.by})`;
    case "env":
      return f.value.name;
    case "health":
      return f.value.path + (f.value.checks === true ? " (checks dependencies)" : f.value.checks === false ? " (process only)" : "");
    case "route":
      return f.value.mount ? `${f.value.prefix} (mounted router)` : f.value.prefix;
    case "port":
      return String(f.value.port);
    case "migrate":
      return f.value.command.join(" ");
    case "language":
      return f.value.language + (f.value.version ? ` ${f.value.version}` : "");
    case "framework":
      return f.value.name;
    case "unsupported":
      return `${f.value.store} (${f.value.by}; devstack does not provide it)`;
    case "warning":
      return f.value.message;
  }
}
