import type { Language, RepoView } from "../facts.js";
import { parseToml, type TomlTable } from "./toml.js";
import { basename, dirname, escapeRegExp, isRecord, lineMatching, parseJson, source, splitLines, str, within } from "./util.js";

/** One project's dependency manifest(s), read into names. Python's several files in one directory are one project. */
export interface Manifest {
  file: string;
  dir: string;
  language: Language;
  /** Dependency name (lower-case; Python names normalised) → where it is declared. */
  deps: Map<string, string>;
  /** Cargo features and Python extras a dependency is declared with. */
  features: Map<string, string[]>;
  scripts: Record<string, string>;
  name?: string;
  /** The toolchain version the manifest asks for, when it says. */
  version?: string;
}

const pyName = (n: string): string => n.toLowerCase().replace(/[._-]+/g, "-");

function declared(text: string, file: string, name: string): string {
  // In JSON the dependency is a key; the same word in a script ("next dev") is not its declaration.
  const re = file.endsWith(".json") ? new RegExp(`"${escapeRegExp(name)}"\\s*:`, "i") : new RegExp(`(?:^|[\\s"'\`(\\[,{<>/])${escapeRegExp(name)}(?:$|[\\s"'\`)\\]=<>~!;:,.\\[@{}])`, "i");
  return source(file, lineMatching(text, (l) => re.test(l)));
}

function manifest(file: string, language: Language): Manifest {
  return { file, dir: dirname(file), language, deps: new Map(), features: new Map(), scripts: {} };
}

function add(m: Manifest, text: string, file: string, name: string, features: string[] = []): void {
  if (!name) return;
  if (!m.deps.has(name)) m.deps.set(name, declared(text, file, name));
  if (features.length > 0) m.features.set(name, [...(m.features.get(name) ?? []), ...features]);
}

function stringRecord(v: unknown): Record<string, string> {
  return isRecord(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string")) : {};
}

function packageJson(file: string, text: string): Manifest | undefined {
  const data = parseJson(text);
  if (!isRecord(data)) return undefined;
  const m = manifest(file, "node");
  for (const key of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
    for (const name of Object.keys(isRecord(data[key]) ? data[key] : {})) add(m, text, file, name.toLowerCase());
  }
  m.scripts = stringRecord(data.scripts);
  m.name = str(data.name);
  m.version = isRecord(data.engines) ? str(data.engines.node) : undefined;
  return m;
}

/** A PEP 508 requirement's name and extras. */
function requirement(spec: string): [string, string[]] | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]{0,200})\s*(?:\[([^\]]{0,200})\])?/.exec(spec);
  if (!m) return undefined;
  return [pyName(m[1] as string), (m[2] ?? "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean)];
}

function addRequirement(m: Manifest, text: string, file: string, spec: unknown): void {
  const r = typeof spec === "string" ? requirement(spec) : undefined;
  if (r) add(m, text, file, r[0], r[1]);
}

function python(m: Manifest, file: string, text: string): void {
  const name = basename(file);
  if (name.endsWith(".txt")) {
    for (const line of splitLines(text)) if (!/^\s*(?:#|-)/.test(line)) addRequirement(m, text, file, line);
    return;
  }
  const data = parseToml(text);
  if (!data) return;
  const keys = (t: unknown): string[] => (isRecord(t) ? Object.keys(t).filter((k) => k !== "python") : []);
  const list = (t: unknown): unknown[] => (Array.isArray(t) ? t : []);
  if (name === "Pipfile") {
    for (const k of [...keys(data.packages), ...keys(data["dev-packages"])]) add(m, text, file, pyName(k));
    m.version ??= isRecord(data.requires) ? str(data.requires.python_version) : undefined;
    return;
  }
  const project = isRecord(data.project) ? data.project : {};
  const tool = isRecord(data.tool) ? data.tool : {};
  const poetry: TomlTable = isRecord(tool.poetry) ? tool.poetry : {};
  const uv: TomlTable = isRecord(tool.uv) ? tool.uv : {};
  const specs = [
    ...list(project.dependencies),
    ...Object.values(isRecord(project["optional-dependencies"]) ? project["optional-dependencies"] : {}).flatMap(list),
    ...Object.values(isRecord(data["dependency-groups"]) ? data["dependency-groups"] : {}).flatMap(list),
    ...list(uv["dev-dependencies"]),
  ];
  for (const spec of specs) addRequirement(m, text, file, spec);
  const groups = isRecord(poetry.group) ? Object.values(poetry.group).map((g) => (isRecord(g) ? g.dependencies : undefined)) : [];
  for (const k of [poetry.dependencies, poetry["dev-dependencies"], ...groups].flatMap(keys)) add(m, text, file, pyName(k));
  m.name ??= str(project.name) ?? str(poetry.name);
  const poetryPython = isRecord(poetry.dependencies) ? str(poetry.dependencies.python) : undefined;
  m.version ??= str(project["requires-python"]) ?? poetryPython;
  if (isRecord(tool.pytest)) add(m, text, file, "pytest");
}

function gemfile(file: string, text: string): Manifest {
  const m = manifest(file, "ruby");
  splitLines(text).forEach((line, i) => {
    const gem = /^\s*gem\s*\(?\s*["']([^"']{1,200})["']/.exec(line);
    if (gem && !m.deps.has((gem[1] as string).toLowerCase())) m.deps.set((gem[1] as string).toLowerCase(), `${file}:${i + 1}`);
    const ruby = /^\s*ruby\s+["']([^"']{1,40})["']/.exec(line);
    if (ruby) m.version = ruby[1];
  });
  return m;
}

function goMod(file: string, text: string): Manifest {
  const m = manifest(file, "go");
  let block = false;
  splitLines(text).forEach((raw, i) => {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (block && line === ")") block = false;
    else if (/^require\s*\($/.test(line)) block = true;
    const req = block ? /^(\S+)\s+v\S+/.exec(line) : /^require\s+(\S+)\s+v\S+/.exec(line);
    if (req && !m.deps.has(req[1] as string)) m.deps.set((req[1] as string).toLowerCase(), `${file}:${i + 1}`);
    const mod = /^module\s+"?([^\s"]+)"?/.exec(line);
    if (mod) m.name = mod[1];
    const go = /^go\s+(\d+\.\d+(?:\.\d+)?)/.exec(line);
    if (go) m.version = go[1];
  });
  return m;
}

function jvm(file: string, text: string): Manifest {
  const m = manifest(file, "java");
  const gradle = !file.endsWith(".xml");
  splitLines(text).forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    const names = gradle
      ? [...line.matchAll(/["']([\w.-]{1,200}):([\w.-]{1,200})(?::[^"']{0,100})?["']/g)].map((x) => (x[2] as string).toLowerCase())
      : [...line.matchAll(/<artifactId>\s*([^<\s]{1,200})\s*<\/artifactId>/g)].map((x) => (x[1] as string).toLowerCase());
    if (gradle && /["']org\.springframework\.boot["']/.test(line)) names.push("org.springframework.boot");
    if (!gradle && /<groupId>\s*org\.springframework\.boot\s*<\/groupId>/.test(line)) names.push("org.springframework.boot");
    for (const n of names) if (!m.deps.has(n)) m.deps.set(n, at);
    const v = /<(?:java\.version|maven\.compiler\.release|maven\.compiler\.source)>\s*([\d.]{1,10})\s*</.exec(line) ?? /JavaLanguageVersion\.of\(\s*(\d{1,3})\s*\)/.exec(line) ?? /sourceCompatibility\s*=\s*['"]?(?:JavaVersion\.VERSION_)?([\d._]{1,10})/.exec(line);
    if (v) m.version ??= (v[1] as string).replace(/_/g, ".");
  });
  return m;
}

function composerJson(file: string, text: string): Manifest | undefined {
  const data = parseJson(text);
  if (!isRecord(data)) return undefined;
  const m = manifest(file, "php");
  for (const key of ["require", "require-dev"]) for (const name of Object.keys(isRecord(data[key]) ? data[key] : {})) add(m, text, file, name.toLowerCase());
  m.scripts = stringRecord(data.scripts);
  m.name = str(data.name);
  m.version = isRecord(data.require) ? str(data.require.php) : undefined;
  return m;
}

function cargoToml(file: string, text: string): Manifest | undefined {
  const data = parseToml(text);
  if (!data) return undefined;
  const m = manifest(file, "rust");
  const workspace = isRecord(data.workspace) ? data.workspace.dependencies : undefined;
  for (const table of [data.dependencies, data["dev-dependencies"], workspace]) {
    if (!isRecord(table)) continue;
    for (const [name, spec] of Object.entries(table)) {
      const features = isRecord(spec) && Array.isArray(spec.features) ? spec.features.filter((f): f is string => typeof f === "string") : [];
      add(m, text, file, name.toLowerCase(), features);
    }
  }
  const pkg = isRecord(data.package) ? data.package : {};
  m.name = str(pkg.name);
  m.version = str(pkg["rust-version"]);
  return m;
}

const PYTHON = /^(?:pyproject\.toml|Pipfile|requirements(?:[-_.][\w.-]*)?\.txt)$/;

/** Every dependency manifest in the tree; a malformed one is left out. */
export function manifests(repo: RepoView): Manifest[] {
  const out: Manifest[] = [];
  const python_ = new Map<string, Manifest>();
  const order = ["pyproject.toml", "Pipfile"];
  const pyFiles = repo.files.filter((f) => PYTHON.test(basename(f)) || /(?:^|\/)requirements\/[\w.-]+\.txt$/.test(f));
  pyFiles.sort((a, b) => (order.indexOf(basename(a)) + 1 || 9) - (order.indexOf(basename(b)) + 1 || 9));
  for (const file of pyFiles) {
    const text = repo.read(file);
    if (text === undefined) continue;
    const dir = basename(dirname(file)) === "requirements" ? dirname(dirname(file)) : dirname(file);
    const m = python_.get(dir) ?? { ...manifest(file, "python"), dir };
    python(m, file, text);
    python_.set(dir, m);
  }
  for (const file of repo.files) {
    const name = basename(file);
    const text = repo.read(file);
    if (text === undefined) continue;
    const m =
      name === "package.json" ? packageJson(file, text)
      : name === "Gemfile" ? gemfile(file, text)
      : name === "go.mod" ? goMod(file, text)
      : name === "pom.xml" || name === "build.gradle" || name === "build.gradle.kts" ? jvm(file, text)
      : name === "composer.json" ? composerJson(file, text)
      : name === "Cargo.toml" ? cargoToml(file, text)
      : undefined;
    if (m) out.push(m);
  }
  return [...out, ...python_.values()];
}

/** The first of `names` present in the manifest's directory or the repository root. */
export function nearby(repo: RepoView, dir: string, names: string[]): string | undefined {
  for (const d of dir === "." ? ["."] : [dir, "."]) {
    for (const n of names) if (repo.files.includes(within(d, n))) return within(d, n);
  }
  return undefined;
}
