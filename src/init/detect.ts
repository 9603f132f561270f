/** What `devstack init` learns from an app directory; pure, so it is tested on strings. */
export interface Detected {
  name: string;
  port: number;
  dockerfile: string | undefined;
  /** The final stage's name in a multi-stage Dockerfile. */
  target: string | undefined;
  notes: string[];
}

export interface AppFiles {
  dirName: string;
  dockerfileName?: string;
  dockerfile?: string;
  packageJson?: string;
}

export function toDnsLabel(raw: string): string {
  const base = raw.replace(/^@[^/]+\//, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").replace(/-+/g, "-");
  const trimmed = base.slice(0, 40).replace(/-+$/, "");
  return trimmed || "app";
}

/** The instructions of the last build stage (the image that runs). */
function lastStage(dockerfile: string): { lines: string[]; name: string | undefined; stages: number } {
  const joined = dockerfile.replace(/\\\r?\n/g, " ");
  let lines: string[] = [];
  let name: string | undefined;
  let stages = 0;
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      stages++;
      lines = [];
      name = from[1];
      continue;
    }
    lines.push(line);
  }
  return { lines, name, stages };
}

export function detect(files: AppFiles): Detected {
  const notes: string[] = [];
  let name: string | undefined;
  if (files.packageJson) {
    try {
      const pkg = JSON.parse(files.packageJson) as { name?: unknown };
      if (typeof pkg.name === "string" && pkg.name) {
        name = toDnsLabel(pkg.name);
        notes.push(`name "${name}" from package.json`);
      }
    } catch {
      notes.push("package.json is not valid JSON; name taken from the directory");
    }
  }
  if (!name) {
    name = toDnsLabel(files.dirName);
    notes.push(`name "${name}" from the directory name`);
  }

  let port: number | undefined;
  let target: string | undefined;
  if (files.dockerfile) {
    const stage = lastStage(files.dockerfile);
    for (const line of stage.lines) {
      const expose = /^EXPOSE\s+(\d+)/i.exec(line);
      if (expose && port === undefined) port = Number(expose[1]);
      const env = /^ENV\s+.*\bPORT[= ](\d+)/i.exec(line);
      if (env && port === undefined) port = Number(env[1]);
    }
    if (stage.stages > 1 && stage.name) {
      target = stage.name;
      notes.push(`build target "${target}" (the last of ${stage.stages} stages)`);
    }
    if (port !== undefined) notes.push(`port ${port} from the ${files.dockerfileName ?? "Dockerfile"}`);
  } else {
    notes.push("no Dockerfile found: write one before `devstack up` (build.dockerfile names it)");
  }
  if (port === undefined) {
    port = 8080;
    notes.push("no EXPOSE found: port 8080 assumed");
  }
  return { name, port, dockerfile: files.dockerfileName, target, notes };
}
