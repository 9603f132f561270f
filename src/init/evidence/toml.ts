import { DevstackError } from "../../errors.js";

// fly.toml, pyproject.toml, Pipfile and Cargo.toml need only TOML's common
// subset; a small tolerant reader avoids a new dependency.

type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  fail(): never {
    throw new DevstackError("malformed TOML", { kind: "config" });
  }

  peek(n = 0): string {
    return this.s[this.i + n] ?? "";
  }

  startsWith(t: string): boolean {
    return this.s.startsWith(t, this.i);
  }

  /** Spaces and tabs; with `lines`, also newlines and comments. */
  skip(lines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || (lines && (c === "\n" || c === "\r"))) this.i++;
      else if (c === "#" && lines) this.toLineEnd();
      else return;
    }
  }

  toLineEnd(): void {
    const j = this.s.indexOf("\n", this.i);
    this.i = j < 0 ? this.s.length : j;
  }

  key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.skip(false);
      const c = this.peek();
      if (c === '"' || c === "'") parts.push(this.string());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i, this.i + 256));
        if (!m) this.fail();
        parts.push(m[0]);
        this.i += m[0].length;
      }
      this.skip(false);
      if (this.peek() !== ".") return parts;
      this.i++;
    }
  }

  string(): string {
    for (const q of ['"""', "'''"]) {
      if (this.startsWith(q)) {
        const end = this.s.indexOf(q, this.i + 3);
        if (end < 0) this.fail();
        const raw = this.s.slice(this.i + 3, end).replace(/^\r?\n/, "");
        this.i = end + 3;
        return q === '"""' ? raw.replace(/\\\r?\n\s*/g, "") : raw;
      }
    }
    const q = this.peek();
    this.i++;
    let out = "";
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "\n") this.fail();
      this.i++;
      if (c === q) return out;
      if (c === "\\" && q === '"') {
        const e = this.peek();
        this.i++;
        out += e === "n" ? "\n" : e === "t" ? "\t" : e;
      } else out += c;
    }
  }

  value(): TomlValue {
    this.skip(false);
    const c = this.peek();
    if (c === '"' || c === "'") return this.string();
    if (c === "[") {
      this.i++;
      const arr: TomlValue[] = [];
      for (;;) {
        this.skip(true);
        if (this.peek() === "]") {
          this.i++;
          return arr;
        }
        arr.push(this.value());
        this.skip(true);
        if (this.peek() === ",") this.i++;
        else if (this.peek() !== "]") this.fail();
      }
    }
    if (c === "{") {
      this.i++;
      const table: TomlTable = {};
      for (;;) {
        this.skip(false);
        if (this.peek() === "}") {
          this.i++;
          return table;
        }
        const key = this.key();
        if (this.peek() !== "=") this.fail();
        this.i++;
        assign(table, key, this.value());
        this.skip(false);
        if (this.peek() === ",") this.i++;
        else if (this.peek() !== "}") this.fail();
      }
    }
    const m = /^[A-Za-z0-9_+\-.:]+/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) this.fail();
    this.i += m[0].length;
    if (m[0] === "true" || m[0] === "false") return m[0] === "true";
    const n = Number(m[0].replace(/_/g, ""));
    return Number.isNaN(n) ? m[0] : n;
  }
}

function table(at: TomlTable, key: string): TomlTable {
  const v = at[key];
  if (v === undefined) return (at[key] = {});
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    if (last !== undefined && typeof last === "object" && !Array.isArray(last)) return last;
  } else if (typeof v === "object") return v;
  throw new DevstackError("malformed TOML", { kind: "config" });
}

function assign(at: TomlTable, key: string[], value: TomlValue): void {
  let t = at;
  for (const k of key.slice(0, -1)) t = table(t, k);
  t[key[key.length - 1] as string] = value;
}

/** The document as plain data, or undefined when it is not TOML this reader understands. */
export function parseToml(text: string): TomlTable | undefined {
  const r = new Reader(text);
  const root: TomlTable = {};
  let current = root;
  try {
    for (;;) {
      r.skip(true);
      if (r.peek() === "") return root;
      if (r.startsWith("[[")) {
        r.i += 2;
        const key = r.key();
        if (!r.startsWith("]]")) r.fail();
        r.i += 2;
        let t = root;
        for (const k of key.slice(0, -1)) t = table(t, k);
        const last = key[key.length - 1] as string;
        const arr = t[last] ?? (t[last] = []);
        if (!Array.isArray(arr)) return undefined;
        current = {};
        arr.push(current);
      } else if (r.peek() === "[") {
        r.i++;
        const key = r.key();
        if (r.peek() !== "]") r.fail();
        r.i++;
        current = root;
        for (const k of key) current = table(current, k);
      } else {
        const key = r.key();
        if (r.peek() !== "=") r.fail();
        r.i++;
        assign(current, key, r.value());
      }
      r.skip(false);
      if (r.peek() === "#") r.toLineEnd();
      if (r.peek() !== "" && r.peek() !== "\n" && r.peek() !== "\r") r.fail();
    }
  } catch {
    return undefined;
  }
}
