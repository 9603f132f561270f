import { stringify } from "yaml";
import type { FactOf } from "./facts.js";

type Step = Record<string, unknown>;
type Toolchain = FactOf<"language">["value"];

// devstack runs through npx: the deploy jobs need Node whatever the app is written in.
const node = [
  { uses: "actions/checkout@v4" },
  { uses: "actions/setup-node@v4", with: { "node-version": 22 } },
];
// A Node app has devstack among its dev dependencies: the lock file pins its version.
const nodeApp = [
  { uses: "actions/checkout@v4" },
  { uses: "actions/setup-node@v4", with: { "node-version": 22, cache: "npm" } },
  { run: "npm ci" },
];

const aws = { uses: "aws-actions/configure-aws-credentials@v4", with: { "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}" } };

const has = (files: string[], name: string) => files.includes(name);

/** The steps that install the app's toolchain and dependencies, and its test command. */
function toolchainSteps(tool: Toolchain | undefined, files: string[]): { setup: Step[]; test: string | undefined } {
  const version = (key: string, fallback: string | number) => ({ [key]: tool?.version ?? fallback });
  const given = tool?.test?.join(" ");
  switch (tool?.language) {
    case "node":
      return { setup: [{ uses: "actions/setup-node@v4", with: { ...version("node-version", 22), cache: "npm" } }, { run: "npm ci" }], test: given ?? "npm test" };
    case "python": {
      const setup: Step[] = [{ uses: "actions/setup-python@v5", with: version("python-version", "3.12") }];
      if (has(files, "uv.lock")) setup.push({ uses: "astral-sh/setup-uv@v5" }, { run: "uv sync --frozen" });
      else if (has(files, "poetry.lock")) setup.push({ run: "pipx install poetry" }, { run: "poetry install --no-interaction" });
      else if (has(files, "requirements.txt")) setup.push({ run: "pip install -r requirements.txt" });
      else setup.push({ run: "pip install ." });
      const runner = has(files, "uv.lock") ? "uv run " : has(files, "poetry.lock") ? "poetry run " : "";
      return { setup, test: given ?? `${runner}pytest` };
    }
    case "go":
      return { setup: [{ uses: "actions/setup-go@v5", with: has(files, "go.mod") && !tool.version ? { "go-version-file": "go.mod" } : version("go-version", "stable") }], test: given ?? "go test ./..." };
    case "ruby":
      return {
        setup: [{ uses: "ruby/setup-ruby@v1", with: { ...(tool.version ? { "ruby-version": tool.version } : {}), "bundler-cache": true } }],
        test: given ?? (files.some((f) => f.startsWith("spec/")) ? "bundle exec rspec" : "bin/rails test"),
      };
    case "java": {
      const gradle = has(files, "gradlew");
      return { setup: [{ uses: "actions/setup-java@v4", with: { distribution: "temurin", ...version("java-version", 21), cache: gradle ? "gradle" : "maven" } }], test: given ?? (gradle ? "./gradlew test" : "mvn -B test") };
    }
    case "rust":
      return { setup: [{ uses: "dtolnay/rust-toolchain@stable" }], test: given ?? "cargo test" };
    case "php":
      return { setup: [{ uses: "shivammathur/setup-php@v2", with: version("php-version", "8.3") }, { run: "composer install --no-interaction --prefer-dist" }], test: given ?? "vendor/bin/phpunit" };
    default:
      return { setup: [], test: undefined };
  }
}

/**
 * The GitHub Actions workflow `devstack init --ci github` writes: the app's
 * own tests against an isolated stack, then a deploy to staging, then the
 * very digest that runs in staging promoted to prod behind the `production`
 * environment's approval. AWS access is by OIDC: no long-lived key is stored in GitHub.
 */
export function githubWorkflow(app: string, tool?: Toolchain, files: string[] = [], externalSecrets: string[] = []): string {
  const { setup, test } = toolchainSteps(tool, files);
  const deploy = tool?.language === "node" ? nodeApp : node;
  // setup-node comes last so devstack's npx finds Node after another toolchain's setup.
  const testSteps: Step[] = [{ uses: "actions/checkout@v4" }, ...setup, ...(tool?.language === "node" ? [] : node.slice(1))];
  // `devstack test` refuses to run without a declared external secret: CI hands each one in from its own secrets, on stdin.
  for (const name of externalSecrets) testSteps.push({ name: `secret ${name} from the repository's secrets`, run: `printf '%s' "$VALUE" | npx devstack secrets set ${name}`, env: { VALUE: `\${{ secrets.${name} }}` } });
  testSteps.push(test ? { name: "tests against an isolated stack", run: `npx devstack test -- ${test}` } : { name: "TODO: the app's tests (no toolchain was recognised)", run: 'echo "add your test command here" && exit 1' });
  const workflow = {
    name: app,
    on: { push: { branches: ["main"] }, pull_request: null },
    permissions: { contents: "read", "id-token": "write" },
    concurrency: { group: "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": false },
    jobs: {
      test: { "runs-on": "ubuntu-24.04", "timeout-minutes": 45, steps: testSteps },
      staging: {
        if: "github.ref == 'refs/heads/main'",
        needs: "test",
        "runs-on": "ubuntu-24.04",
        environment: "staging",
        steps: [...deploy, aws, { run: "npx devstack diff staging prod --strict" }, { run: "npx devstack deploy --profile staging --json" }],
      },
      production: {
        needs: "staging",
        "runs-on": "ubuntu-24.04",
        environment: "production",
        steps: [...deploy, aws, { name: "promote the digest running in staging", run: "npx devstack promote --profile prod --from staging --yes --json" }],
      },
    },
  };
  const todo = test ? "" : "# No toolchain was recognised: replace the test job's last step with the app's test command.\n";
  return `# Written by \`devstack init --ci github\`. Set the repository variables
# AWS_DEPLOY_ROLE_ARN (an IAM role GitHub's OIDC provider may assume) and
# AWS_REGION, and give the "production" environment required reviewers.
${todo}${stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
