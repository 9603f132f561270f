// What `devstack init` learns from a repository: facts, each with where it
// was read, gathered by the collectors in src/init/evidence/ and turned into
// a config by src/init/infer.ts. Pure data, so both sides are tested on
// strings and fixture trees.

export type ServiceKind = "database" | "redis" | "storage" | "mail";
export type Language = "node" | "python" | "ruby" | "go" | "java" | "php" | "rust";

/** A buildable image: a Dockerfile and its real build context (compose's build.context when given). */
export interface DockerfileFact {
  /** Paths relative to the repository root, with / separators. */
  dockerfile: string;
  context: string;
  /** The last stage's name in a multi-stage file. */
  target?: string;
  /** The last stage's first EXPOSE or ENV PORT. */
  port?: number;
  /** The path a HEALTHCHECK instruction requests (curl/wget of localhost), if any. */
  health?: string;
  /** The last stage's CMD/ENTRYPOINT as words, when written in exec form. */
  command?: string[];
  /** What an earlier named stage (a compose build.target) would give instead of the last one. */
  stages?: Record<string, { port?: number; health?: string; command?: string[] }>;
}

/** A long-running process or one-off the repository declares (compose service, Procfile line, app.json formation…). */
export interface ProcessFact {
  name: string;
  role: "web" | "worker" | "release" | "scheduled";
  command?: string[];
  port?: number;
  health?: string;
  /** The Dockerfile (root-relative) that builds its image, when known. */
  dockerfile?: string;
  context?: string;
  /** Cron schedule for role scheduled. */
  schedule?: string;
  /** Environment variable names the declaration sets (compose environment:, app.json env). */
  env?: string[];
  /** The Dockerfile stage compose builds (build.target). */
  target?: string;
  /** A development command the declaration runs (a reloader, a wait-for loop) that `command` replaces or drops. */
  devCommand?: string[];
}

export type Fact =
  | { kind: "name"; value: string }
  | { kind: "dockerfile"; value: DockerfileFact }
  | { kind: "process"; value: ProcessFact }
  | { kind: "service"; value: { service: ServiceKind; /** What it was recognised by: a package, an image, a variable. */ by: string } }
  | { kind: "env"; value: { name: string; /** Read by the code, or listed in an example env file / manifest. */ from: "code" | "example" | "manifest"; /** The code opens the file the variable names (`readFileSync(process.env.X)`, `X_FILE`). */ file?: true } }
  | { kind: "health"; value: { path: string; component?: string; /** Whether the handler touches a database or Redis, when its code could be read. */ checks?: boolean } }
  | { kind: "route"; value: { component?: string; /** The first path segment the code serves under, "/" for the root. */ prefix: string; /** A router mounted under the prefix. */ mount?: true } }
  | { kind: "port"; value: { port: number; component?: string } }
  | { kind: "migrate"; value: { command: string[] } }
  | { kind: "language"; value: { language: Language; /** The toolchain's version file or manifest value, when given. */ version?: string; test?: string[] } }
  | { kind: "framework"; value: { name: string } }
  /** A datastore or broker devstack cannot provide (MySQL, MongoDB, RabbitMQ…). */
  | { kind: "unsupported"; value: { store: string; by: string } }
  /** Something `init` must tell the user about: a skipped one-shot service, a hard-coded connection string. */
  | { kind: "warning"; value: { message: string } };

export type FactOf<K extends Fact["kind"]> = Extract<Fact, { kind: K }>;

/** A fact with its source ("docker-compose.yml:12", "Gemfile", "requirements.txt:3"). */
export type Found = Fact & {
  source: string;
  /** False for a convention applied without a sign in the repository (a framework's usual port): `init` marks it a guess. */
  confirmed: boolean;
};

/** The repository as collectors see it: every file path (root-relative, / separators) and a reader. */
export interface RepoView {
  files: string[];
  read(path: string): string | undefined;
}
