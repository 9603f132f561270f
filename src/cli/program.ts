import { Command, Option } from "commander";
import { packageVersion } from "../package-root.js";

/**
 * Commands are declared here and load their implementation only when run,
 * so `devstack --help` and `--version` never pay for zod, yaml or dockerode.
 */
export type Action = (options: Record<string, unknown>, args: string[]) => Promise<number>;

const profileOption = () =>
  new Option("-p, --profile <name>", "which profiles/<name>.yaml to use").default("local");
const jsonOption = () => new Option("--json", "print the result as JSON");

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

export type Dispatch = (load: () => Promise<{ run: Action }>) => (...args: unknown[]) => Promise<void>;

export function buildProgram(dispatch: Dispatch): Command {
  const program = new Command("devstack")
    .description("A production platform on Kubernetes for one web product, and the same platform on your laptop.")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    // Set before the subcommands exist: commander copies settings when a command is created.
    .exitOverride()
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run `devstack --help` for usage)")
    .addHelpText(
      "after",
      examples([
        "devstack init                     # scaffold devstack.yaml and profiles in an app directory",
        "devstack config --profile prod     # the resolved config for production",
        "devstack diff local prod           # what differs between two profiles",
        "devstack doctor                    # what this machine has and lacks",
      ]),
    );

  program
    .command("init")
    .description("infer devstack.yaml and profiles/{local,prod}.yaml from the repository in this directory (run it at a monorepo's root)")
    .option("--name <name>", "the app's name (default: package.json name or the directory name)")
    .option("--port <port>", "the port the main web component listens on (default: what the repository says)")
    .option("--dockerfile <path>", "the Dockerfile of the main component, relative to this directory (default: the one found)")
    .option("--context <dir>", "its build context (default: compose's build.context, else the Dockerfile's directory)")
    .option("--force", "overwrite files that exist")
    .option("--ci <provider>", "also write a CI workflow: the app's tests with `devstack test`, deploy to staging, promote to prod behind an approval (github)")
    .addOption(jsonOption())
    .addHelpText("after", examples(["cd my-app && devstack init", "devstack init --name shop --port 3000 --force", "devstack init --dockerfile services/api/Dockerfile --context .", "devstack init --ci github"]))
    .action(dispatch(() => import("./commands/init.js")));

  program
    .command("config")
    .description("print the resolved config of a profile; secret values are never shown")
    .addOption(profileOption())
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack config", "devstack config --profile prod --json"]))
    .action(dispatch(() => import("./commands/config.js")));

  program
    .command("diff")
    .description("every resolved value and rendered manifest field that differs between two profiles")
    .argument("<a>", "first profile")
    .argument("<b>", "second profile")
    .option("--strict", "exit 1 when a resource exists in one profile only or a difference is not explained by the profiles")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack diff local prod", "devstack diff local prod --strict   # in CI: parity or fail", "devstack diff staging prod --json"]))
    .action(dispatch(() => import("./commands/diff.js")));

  program
    .command("render")
    .description("the manifests Helm would apply for a profile, validated against the Kubernetes schemas")
    .addOption(profileOption())
    .option("--out <dir>", "write one file per resource under DIR/<release>/ (and each release's values)")
    .option("--image <ref>", "render with this image (repo:tag or repo@sha256:...) instead of the current sources' tag")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack render --profile local --out out/local", "devstack render --profile prod | kubectl diff -f -", "devstack render --json"]))
    .action(dispatch(() => import("./commands/render.js")));

  program
    .command("up")
    .description("start or reuse the local stack, deploy, then watch and redeploy")
    .addOption(profileOption())
    .option("--services-only", "only the managed-service stand-ins (registry, Postgres, ACME, SMTP), then print the environment for running the app on the host")
    .option("--dry-run", "print the plan without touching Docker")
    .option("--no-watch", "stop after the first deploy")
    .option("--no-wait", "fail at once (exit 1) when another run is changing the local stack, instead of waiting for it")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack up", "devstack up --services-only", "devstack up --dry-run --json"]))
    .action(dispatch(() => import("./commands/up.js")));

  program
    .command("down")
    .description("stop the local stack; --purge also deletes its volumes")
    .addOption(profileOption())
    .option("--purge", "remove containers, volumes, network and the images built of the app")
    .option("-y, --yes", "do not ask before --purge")
    .option("--no-wait", "fail at once (exit 1) when another run is changing the local stack, instead of waiting for it")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack down", "devstack down --purge --yes"]))
    .action(dispatch(() => import("./commands/down.js")));

  program
    .command("status")
    .description("every component of the local stack: state, version, health, URL")
    .addOption(profileOption())
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack status", "devstack status --json"]))
    .action(dispatch(() => import("./commands/status.js")));

  program
    .command("trust")
    .description("make the local ACME server's root trusted by this machine (one sudo prompt)")
    .addOption(profileOption())
    .option("--print", "only print the root's path and the command that trusts it")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack trust", "devstack trust --print"]))
    .action(dispatch(() => import("./commands/trust.js")));

  program
    .command("deploy")
    .description("build, publish, deploy, smoke-check and record a release in a profile; a failed check rolls back")
    .addOption(profileOption())
    .option("--timeout <duration>", "how long helm waits for the rollout", "10m")
    .option("--dry-run", "print the plan (what runs, what is skipped and why) without changing anything")
    .option("--no-wait", "fail at once (exit 1) when another run is changing the local stack (local profiles), instead of waiting for it")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack deploy --profile staging", "devstack deploy --profile prod --dry-run", "devstack deploy --profile prod --json"]))
    .action(dispatch(() => import("./commands/deploy.js")));

  program
    .command("promote")
    .description("deploy the exact image digest running in another profile (never rebuilt), after showing what changes")
    .option("-p, --profile <name>", "the profile to deploy to", "prod")
    .option("--from <name>", "the profile whose running image is promoted (default: staging where the project has it, else local)")
    .option("-y, --yes", "do not ask before copying and deploying")
    .option("--dry-run", "print the plan and what would change, without copying or deploying")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack promote --profile prod --from staging", "devstack promote --profile prod --dry-run", "devstack promote --profile prod --yes   # in CI, after approval"]))
    .action(dispatch(() => import("./commands/promote.js")));

  program
    .command("releases")
    .description("release history: revision, status, commit, image digest, who and when")
    .addOption(profileOption())
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack releases --profile prod"]))
    .action(dispatch(() => import("./commands/releases.js")));

  program
    .command("rollback")
    .description("roll back to the previous release (or --to REVISION), then smoke-check it")
    .addOption(profileOption())
    .option("--to <revision>", "the revision to return to")
    .option("--dry-run", "print the plan without rolling back")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack rollback --profile prod", "devstack rollback --profile prod --to 12"]))
    .action(dispatch(() => import("./commands/rollback.js")));

  program
    .command("platform")
    .description("install or upgrade the platform chart alone")
    .addOption(profileOption())
    .option("--dry-run", "print the plan without changing anything")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack platform --profile prod", "devstack platform --profile prod --dry-run"]))
    .action(dispatch(() => import("./commands/platform.js")));

  program
    .command("logs")
    .description("query the app's logs in Loki, for any profile")
    .addOption(profileOption())
    .option("--query <logql>", "a LogQL query (otherwise built from the flags below)")
    .option("--level <level>", "this level and worse: debug, info, warn, error, fatal")
    .option("--component <name>", "web, migrate, or job-<name>")
    .option("--grep <text>", "only lines containing this text")
    .option("--since <when>", "a duration back from now (15m, 1h, 2d) or a timestamp", "1h")
    .option("--until <when>", "a duration back from now or a timestamp")
    .option("--limit <n>", "at most this many lines", "200")
    .option("-f, --follow", "keep printing new lines")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack logs --level error --since 15m", "devstack logs --profile prod --grep payment --follow", "devstack logs --query '{app=\"hello\"} |= \"timeout\"' --json"]))
    .action(dispatch(() => import("./commands/logs.js")));

  const jobs = program.command("jobs").description("the app's cron jobs").addHelpText("after", examples(["devstack jobs ls", "devstack jobs run cleanup --profile prod"]));
  jobs
    .command("ls")
    .description("cron jobs with the component whose image they run, their schedule, last run and result")
    .option("--component <name>", "only the jobs that run this component's image")
    .addOption(profileOption())
    .addOption(jsonOption())
    .action(dispatch(() => import("./commands/jobs-ls.js")));
  jobs
    .command("run")
    .description("run a cron job now from its CronJob's template, stream its log, exit with its result")
    .argument("<name>", "the job's name in devstack.yaml")
    .addOption(profileOption())
    .addOption(jsonOption())
    .action(dispatch(() => import("./commands/jobs-run.js")));

  program
    .command("alerts")
    .description("the app's alerts")
    .command("test")
    .description("send a synthetic alert end to end: Alertmanager, its route, the e-mail")
    .argument("<name>", "the alert's name in devstack.yaml")
    .addOption(profileOption())
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack alerts test error-burst"]))
    .action(dispatch(() => import("./commands/alerts-test.js")));

  program
    .command("export")
    .description("tables out to Parquet for analysis: rows changed since the last run (or all with --full), to the profile's object store")
    .argument("[name]", "one export from devstack.yaml (default: all)")
    .addOption(profileOption())
    .option("--full", "export the whole table, then continue incrementally from there")
    .option("--out <uri>", "write here instead: a directory, file:///path or s3://bucket/prefix/ (it keeps its own watermarks)")
    .option("--query <sql>", "run SQL with DuckDB over what was exported (at --out, if given), each export a view by its name; streams the rows, exports nothing")
    .option("--query-out <file>", "with --query: write the result to this file instead of printing it, by its extension .parquet, .csv, .json or .jsonl (replaced whole, never half-written)")
    .option("--dry-run", "show what a run would read (mode, watermark, columns and their Parquet types); reads no rows, writes nothing")
    .addOption(new Option("--compression <codec>", "Parquet compression").choices(["zstd", "snappy", "gzip", "uncompressed"]).default("zstd"))
    .addOption(jsonOption())
    .addHelpText(
      "after",
      examples([
        "devstack export                          # every export, incrementally, to the local object store",
        "devstack export visits --full --out ./data",
        "devstack export --dry-run                # each column's Parquet type, the watermark, the filter",
        "devstack export --query \"SELECT path, count(*) FROM visits GROUP BY 1 ORDER BY 2 DESC LIMIT 10\"",
        "devstack export --query \"SELECT * FROM visits WHERE path LIKE '/api/%'\" --query-out api-visits.parquet",
        "devstack export --profile prod --json    # by hand against production (needs a route to its database)",
      ]),
    )
    .action(dispatch(() => import("./commands/export.js")));

  program
    .command("run")
    .description("run CMD on the host with a component's whole environment against the local services, secrets included (handed to CMD only: never printed or written); exits with CMD's code")
    .argument("<command...>", "the command, after --")
    .addOption(profileOption())
    .option("--component <name>", "whose environment (default: the first component)")
    .option("--no-wait", "fail at once (exit 1) when another run is changing the local stack, instead of waiting for it")
    .addHelpText("after", examples(["devstack run -- npm start", "devstack run --component worker -- node worker.js", "devstack run -- npx prisma migrate dev"]))
    .action(dispatch(() => import("./commands/run.js")));

  program
    .command("test")
    .description("bring up an isolated stack, run CMD with its URLs in the environment, tear it down, exit with CMD's code")
    .argument("<command...>", "the command, after --")
    .addOption(profileOption())
    .option("--services-only", "only the managed-service stand-ins (the app runs in CMD itself)")
    .addHelpText("after", examples(["devstack test -- npm test", "devstack test --services-only -- node --test"]))
    .action(dispatch(() => import("./commands/test.js")));

  program
    .command("eks-token", { hidden: true })
    .description("exec credential plugin for EKS kubeconfigs devstack writes")
    .requiredOption("--cluster <name>")
    .requiredOption("--region <region>")
    .action(dispatch(() => import("./commands/eks-token.js")));

  const secrets = program
    .command("secrets")
    .description("manage secrets without ever showing their values")
    .addHelpText(
      "after",
      examples([
        "devstack secrets ls",
        "devstack secrets sync --profile prod",
        "devstack secrets set STRIPE_API_KEY < stripe.key",
        "devstack secrets rotate SESSION_KEY",
      ]),
    );
  secrets
    .command("ls")
    .description("every declared secret: kind, state and last change; never values")
    .addOption(profileOption())
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack secrets ls --profile prod --json"]))
    .action(dispatch(() => import("./commands/secrets-ls.js")));
  secrets
    .command("set")
    .description("store an external secret, read from stdin or --from-file (never from an argument; a terminal does not echo)")
    .argument("<name>", "the secret's name")
    .addOption(profileOption())
    .option("--from-file <path>", "read the value from a file")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack secrets set STRIPE_API_KEY          # prompts, input hidden", "pbpaste | devstack secrets set STRIPE_API_KEY --profile prod"]))
    .action(dispatch(() => import("./commands/secrets-set.js")));
  secrets
    .command("rotate")
    .description("give a generated secret a new value; the next deploy rolls the pods")
    .argument("<name>", "the secret's name (DATABASE_URL rotates the database password)")
    .addOption(profileOption())
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack secrets rotate SESSION_KEY --profile prod"]))
    .action(dispatch(() => import("./commands/secrets-rotate.js")));
  secrets
    .command("sync")
    .description("create every missing generated secret (idempotent); exit 1 while an external one is missing")
    .addOption(profileOption())
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack secrets sync", "devstack secrets sync --profile prod --json"]))
    .action(dispatch(() => import("./commands/secrets-sync.js")));
  secrets
    .command("key")
    .description("where the local stores' key lives (keychain or 0600 file); back it up, restore or move it; never shown on a terminal")
    .option("--export <file>", "write a backup of the key to a new file (0600); `-` writes it to a pipe, never to a terminal")
    .option("--import <file>", "restore the key from a backup, after checking it opens the stores")
    .option("--move-to <place>", "move the key to the keychain or to the file (keychain|file)")
    .option("--start-over", "set every local store and the key aside (nothing is deleted) and begin anew with a new key")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack secrets key", "devstack secrets key --export ~/devstack-store-key.txt", "devstack secrets key --import ~/devstack-store-key.txt"]))
    .action(dispatch(() => import("./commands/secrets-key.js")));

  program
    .command("doctor")
    .description("check what this machine has and lacks for devstack, each problem with its fix")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack doctor", "devstack doctor --json | jq '.checks[] | select(.status != \"ok\")'"]))
    .action(dispatch(() => import("./commands/doctor.js")));

  program
    .command("schema")
    .description("print the JSON Schema of devstack.yaml or of a profile, for editors and CI")
    .argument("[which]", "app (devstack.yaml) or profile", "app")
    .option("--out <dir>", "write devstack.schema.json and profile.schema.json into this directory")
    .addOption(jsonOption())
    .addHelpText("after", examples(["devstack schema > devstack.schema.json", "devstack schema profile", "devstack schema --out .devstack"]))
    .action(dispatch(() => import("./commands/schema.js")));

  return program;
}
