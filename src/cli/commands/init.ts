import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { resolveTexts } from "../../config/resolve.js";
import { DevstackError, UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../fs/atomic.js";
import { detect, type Detected } from "../../init/detect.js";
import { githubWorkflow } from "../../init/ci.js";
import { initFiles } from "../../init/templates.js";
import { PACKAGE_ROOT } from "../../package-root.js";
import { out, printResult } from "../output.js";

function readIf(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

export async function run(options: { name?: string; port?: string; force?: boolean; json?: boolean; ci?: string }): Promise<number> {
  const dir = resolve(process.cwd());
  const dockerfileName = ["Dockerfile", "Containerfile"].find((f) => existsSync(join(dir, f)));
  const detected: Detected = detect({
    dirName: basename(dir),
    ...(dockerfileName ? { dockerfileName, dockerfile: readFileSync(join(dir, dockerfileName), "utf8") } : {}),
    ...(existsSync(join(dir, "package.json")) ? { packageJson: readIf(join(dir, "package.json")) as string } : {}),
  });
  if (options.name) detected.name = options.name;
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port ${options.port} is not a port number`, "give a port from 1 to 65535");
    detected.port = port;
  }

  if (options.ci !== undefined && options.ci !== "github") throw new UsageError(`--ci ${options.ci} is not supported`, "use --ci github");
  const schemaDir = relative(dir, join(PACKAGE_ROOT, "schemas")) || ".";
  const base = initFiles(detected, schemaDir);
  // The workflow deploys to staging before prod: a staging profile shaped like prod comes with it.
  const prod = base.find((f) => f.path === "profiles/prod.yaml")?.content ?? "";
  const staging = prod.replace("# Production on EKS", "# Staging on EKS, shaped like production").replaceAll("-prod", "-staging").replaceAll("/prod/", "/staging/").replace("domain: example.com", "domain: staging.example.com").replace("replicas: 3", "replicas: 1");
  const files = [
    ...base,
    ...(options.ci === "github"
      ? [
          { path: "profiles/staging.yaml", content: staging },
          { path: ".github/workflows/devstack.yml", content: githubWorkflow(detected.name) },
        ]
      : []),
  ];
  const existing = files.filter((f) => existsSync(join(dir, f.path))).map((f) => f.path);
  if (existing.length > 0 && !options.force) {
    throw new DevstackError(`${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing was written`, {
      fix: "run `devstack init --force` to overwrite them",
    });
  }
  // Proves what is about to be written is valid before touching the disk.
  const appFile = files[0] as { path: string; content: string };
  for (const profile of files.slice(1).filter((f) => f.path.startsWith("profiles/"))) {
    resolveTexts({ file: appFile.path, text: appFile.content }, { file: profile.path, text: profile.content }, basename(profile.path, ".yaml"));
  }
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    await writeFileAtomic(path, file.content);
  }
  if (options.json) {
    printResult("init", { written: files.map((f) => f.path), detected: { name: detected.name, port: detected.port, dockerfile: detected.dockerfile ?? null, target: detected.target ?? null }, notes: detected.notes });
  } else {
    for (const note of detected.notes) out(`  ${note}`);
    for (const file of files) out(`wrote ${file.path}`);
    out("next: `devstack config` to check the result, then `devstack up`");
  }
  return 0;
}
