import { posix } from "node:path";
import type { Fact, Found, RepoView } from "../facts.js";

export function found(fact: Fact, source: string, confirmed = true): Found {
  return { ...fact, source, confirmed } as Found;
}

export const basename = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i);
}

/** A root-relative path ("." for the root) from a directory and a path relative to it. */
export function joinPath(dir: string, rel: string): string {
  const joined = posix.normalize(posix.join(dir, rel)).replace(/\/+$/, "");
  return joined === "" ? "." : joined;
}

/** `dir/name`, or `name` at the root. */
export const within = (dir: string, name: string): string => (dir === "." ? name : `${dir}/${name}`);

export const splitLines = (text: string): string[] => text.split(/\r?\n/);

/** Shell-like words: quotes group, backslash escapes; no expansion. */
export function words(command: string): string[] {
  const out: string[] = [];
  let word = "";
  let started = false;
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === "\\" && i + 1 < command.length) {
      word += command[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(word);
      word = "";
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (started) out.push(word);
  return out;
}

/** Words to run a command line; operators, pipes and substitutions only work through a shell. */
export function commandWords(command: string): string[] {
  const trimmed = command.trim();
  return /[|&;<>`]|\$\(/.test(trimmed) ? ["sh", "-c", trimmed] : words(trimmed);
}

export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;

export function toPort(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d{1,5}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

/** The path a health probe command requests from the container itself ("/" when it names none). */
export function healthPath(text: string): string | undefined {
  const m = /\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::[\w${}:-]{0,60})?(\/[^\s"'\\|;&)]*)?/.exec(text);
  if (!m) return undefined;
  return m[1] ?? "/";
}

/** First line (1-based) whose text matches, for a source pointer; undefined when none does. */
export function lineMatching(text: string, test: (line: string) => boolean): number | undefined {
  const lines = splitLines(text);
  const i = lines.findIndex(test);
  return i < 0 ? undefined : i + 1;
}

export const source = (path: string, line: number | undefined): string => (line ? `${path}:${line}` : path);

/** A RepoView over in-memory files, for tests and callers that already hold the text. */
export function memoryRepo(files: Record<string, string>): RepoView {
  return { files: Object.keys(files).sort(), read: (path) => (Object.hasOwn(files, path) ? files[path] : undefined) };
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A DNS label (what a product or component may be called), without an npm scope. */
export function dnsLabel(raw: string): string {
  const base = raw.replace(/^@[^/]+\//, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").replace(/-+/g, "-");
  return base.slice(0, 40).replace(/-+$/, "") || "app";
}

/** Whether YAML is worth parsing: the parser exhausts memory on deeply nested flow collections, which no real manifest has. */
export function plausibleYaml(text: string): boolean {
  if (text.length > 256 * 1024) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > 64) return false;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return true;
}
