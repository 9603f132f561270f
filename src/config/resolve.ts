import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type * as z from "zod";
import { ConfigError, type ConfigIssue } from "../errors.js";
import { dotted, toConfigIssues, type Sensitive } from "./issues.js";
import { APP_FILE, findProfileFile, findProjectDir } from "./project.js";
import { applyRememberedPorts } from "../project/ports.js";
import { projectFileIssues } from "./project-files.js";
import { appSchema, looksLikeSecret, type AppConfig } from "./schema/app.js";
import { profileSchema, type ProfileConfig } from "./schema/profile.js";
import { expandTemplate, type TemplateScope } from "./templates.js";
import { decodeConfig, locate, parseYaml, positionOf, scalarSource, type KeyPath, type YamlSource } from "./yaml-source.js";

export interface ResolvedConfig {
  projectDir: string;
  files: { app: string; profile: string };
  profileName: string;
  profileSource: "project" | "builtin";
  app: AppConfig;
  profile: ProfileConfig;
  /** The app's host name in this profile, and its canonical URL. */
  host: string;
  url: string;
  /** Set for isolated stacks (tests): a separate stack, store and cluster of the same project. */
  instance?: string;
}

export interface LoadOptions {
  /** Where to start looking for devstack.yaml; default the working directory. */
  cwd?: string;
  profile?: string;
  /** An isolated instance of the project's stack; default DEVSTACK_INSTANCE. */
  instance?: string;
}

// A value under secrets: may be pasted secret material, except a recipe's settings, which only describe one (an `external:` value may be a pasted token).
const appSensitive: Sensitive = (path) =>
  (path[0] === "secrets" && path[2] !== "generate" && path[2] !== "description") ||
  ((path[0] === "env" || (path[0] === "build" && path[1] === "args")) && looksLikeSecret(String(path.at(-1))));

const notSensitive: Sensitive = () => false;

function readText(path: string, file: string): { file: string; text: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError([{ file, line: 1, column: 1, path: "", message: `cannot read the file (${reason})` }], `check that ${path} is a readable file`);
  }
  const decoded = decodeConfig(file, bytes);
  if (decoded.issues.length > 0) throw new ConfigError(decoded.issues, "save the file as UTF-8, at most 1 MiB");
  return { file, text: decoded.text };
}

type Scopes = { vars: TemplateScope; host: TemplateScope; full: TemplateScope };

function buildScopes(appData: unknown, profileData: unknown, profileName: string, profileSrc: YamlSource, issues: ConfigIssue[]) {
  const appName = typeof (appData as { name?: unknown })?.name === "string" ? (appData as { name: string }).name : "app";
  const base = new Map([
    ["app.name", appName],
    ["profile.name", profileName],
  ]);
  const later = "profile vars are resolved before the host and URL";
  const vars: TemplateScope = {
    values: base,
    unavailable: new Map([
      ["host", later],
      ["url", later],
    ]),
  };
  const profile = (profileData ?? {}) as Record<string, unknown>;
  const rawVars = profile.vars && typeof profile.vars === "object" ? (profile.vars as Record<string, unknown>) : {};
  const withVars = new Map(base);
  for (const [key, value] of Object.entries(rawVars)) {
    if (typeof value !== "string") continue;
    const expanded = expandAt(value, vars, profileSrc, ["vars", key], issues);
    rawVars[key] = expanded;
    withVars.set(`profile.vars.${key}`, expanded);
  }
  const hostReason = "the host is made from the domain";
  const hostScope: TemplateScope = { values: withVars, unavailable: new Map([["host", hostReason], ["url", hostReason]]) };
  for (const key of ["domain", "host"] as const) {
    if (typeof profile[key] === "string") profile[key] = expandAt(profile[key] as string, hostScope, profileSrc, [key], issues);
  }
  const domain = typeof profile.domain === "string" ? profile.domain : "localhost";
  const host = typeof profile.host === "string" ? profile.host : `${appName}.${domain}`;
  const url = `https://${host}`;
  const full: TemplateScope = { values: new Map([...withVars, ["host", host], ["url", url]]) };
  return { scopes: { vars, host: hostScope, full } satisfies Scopes, host, url };
}

function expandAt(value: string, scope: TemplateScope, source: YamlSource, path: KeyPath, issues: ConfigIssue[]): string {
  const { value: expanded, errors } = expandTemplate(value, scope);
  for (const error of errors) {
    const raw = scalarSource(source, path);
    const at = raw?.text.indexOf(error.token) ?? -1;
    const pos = raw && at >= 0 ? positionOf(source, raw.offset + at) : positionOf(source, raw?.offset ?? 0);
    issues.push({ file: source.file, line: pos.line, column: pos.column, path: dotted(path), message: error.message });
  }
  return expanded;
}

/** Expands every string leaf in place, except the paths `skip` names. */
function expandTree(node: unknown, path: KeyPath, scope: TemplateScope, source: YamlSource, issues: ConfigIssue[], skip: (p: KeyPath) => boolean): unknown {
  if (skip(path)) return node;
  if (typeof node === "string") return expandAt(node, scope, source, path, issues);
  if (Array.isArray(node)) return node.map((item, i) => expandTree(item, [...path, i], scope, source, issues, skip));
  if (node && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = expandTree(value, [...path, key], scope, source, issues, skip);
    return out;
  }
  return node;
}

function validate<T extends z.ZodType>(schema: T, data: unknown, source: YamlSource, sensitive: Sensitive, issues: ConfigIssue[]): z.output<T> | undefined {
  // An empty file is an empty map, so the errors name the missing keys.
  const input = data ?? {};
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) issues.push(...toConfigIssues(issue, source, schema, input, sensitive));
  return undefined;
}

/**
 * What the profile says about the app: its per-component settings name
 * components the app has, and a service the app uses has a counterpart the
 * profile's cluster can reach (a local stand-in only beside k3s).
 */
function profileAppIssues(app: AppConfig, profile: ProfileConfig, source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (path: KeyPath, message: string) => {
    const pos = locate(source, path, "key");
    issues.push({ file: source.file, line: pos.line, column: pos.column, path: dotted(path), message });
  };
  const names = Object.keys(app.components);
  for (const name of Object.keys(profile.components)) {
    if (!names.includes(name)) at(["components", name], `the app has no component named ${name}; components: ${names.join(", ")}`);
  }
  if (profile.cluster.type !== "k3s") {
    // Only what the app uses needs a remote counterpart: a profile need not configure a database for an app without one.
    const remote: [keyof ProfileConfig, boolean, string, string][] = [
      ["database", app.database !== undefined, "database:", "external (with host:)"],
      ["redis", app.redis !== undefined, "redis:", "elasticache (with host:)"],
      ["storage", app.storage !== undefined, "storage:", "s3 (with bucket:)"],
      ["objectStore", Object.keys(app.exports).length > 0, "exports:", "s3 (with bucket:)"],
    ];
    for (const [key, used, what, instead] of remote) {
      if (used && (profile[key] as { type: string }).type === "local") {
        at([key, "type"], `the app uses ${what} and "local" runs beside the local k3s cluster only; with cluster type ${profile.cluster.type} set ${key}: {type: ${instead}}`);
      }
    }
  }
  return issues;
}

function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

/** Resolves already-read sources; exported so tests and `init` can check text that is not on disk. */
function resolveSources(app: YamlSource, profile: YamlSource, profileName: string, projectDir?: string): Omit<ResolvedConfig, "projectDir" | "files" | "profileSource"> {
  const issues: ConfigIssue[] = [];
  const { scopes, host, url } = buildScopes(app.data, profile.data, profileName, profile, issues);
  const skipProfile = (p: KeyPath) => p.length === 1 && (p[0] === "vars" || p[0] === "domain" || p[0] === "host");
  const skipApp = (p: KeyPath) => p.length === 1 && p[0] === "name";
  const appData = expandTree(app.data, [], scopes.full, app, issues, skipApp);
  const profileData = expandTree(profile.data, [], scopes.full, profile, issues, skipProfile);
  const appConfig = validate(appSchema, appData, app, appSensitive, issues);
  const profileConfig = validate(profileSchema, profileData, profile, notSensitive, issues);
  if (appConfig && projectDir !== undefined) issues.push(...projectFileIssues(appConfig, projectDir, app));
  if (appConfig && profileConfig) issues.push(...profileAppIssues(appConfig, profileConfig, profile));
  if (issues.length > 0 || !appConfig || !profileConfig) {
    throw new ConfigError(issues.sort(byPosition), "fix the lines above; `devstack schema` prints what each key accepts");
  }
  return { profileName, app: appConfig, profile: profileConfig, host, url };
}

/** Parses and resolves two files' text; YAML syntax errors are reported before anything else. */
export function resolveTexts(
  app: { file: string; text: string },
  profile: { file: string; text: string },
  profileName: string,
  projectDir?: string,
): Omit<ResolvedConfig, "projectDir" | "files" | "profileSource"> {
  const a = parseYaml(app.file, app.text);
  const p = parseYaml(profile.file, profile.text);
  const syntax = [...a.issues, ...p.issues];
  if (syntax.length > 0) throw new ConfigError(syntax.sort(byPosition), "fix the YAML syntax at the positions above");
  return resolveSources(a.source, p.source, profileName, projectDir);
}

/** Finds the project, reads devstack.yaml and the profile, and resolves both. */
export function loadConfig(options: LoadOptions = {}): ResolvedConfig {
  const cwd = options.cwd ?? process.cwd();
  const projectDir = findProjectDir(cwd);
  const profileName = options.profile ?? "local";
  const profileFile = findProfileFile(projectDir, profileName);
  const appPath = `${projectDir}/${APP_FILE}`;
  const display = (p: string) => (p.startsWith(projectDir) ? relative(cwd, p) || APP_FILE : p);
  const resolved = resolveTexts(readText(appPath, display(appPath)), readText(profileFile.path, display(profileFile.path)), profileName, projectDir);
  const instance = options.instance ?? process.env.DEVSTACK_INSTANCE;
  const config: ResolvedConfig = {
    ...resolved,
    ...(instance ? { instance } : {}),
    projectDir,
    files: { app: appPath, profile: profileFile.path },
    profileSource: profileFile.source,
  };
  // Host ports `up` moved off taken defaults for this project's stack: every command reaches the same ones.
  if (config.profile.cluster.type === "k3s") applyRememberedPorts(config);
  return config;
}
