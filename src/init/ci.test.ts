import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { githubWorkflow } from "./ci.js";
import type { Language } from "./facts.js";

interface Workflow {
  jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }>;
}

const testJob = (language: Language | undefined, files: string[] = []) => {
  const text = githubWorkflow("app", language ? { language } : undefined, files);
  return { text, steps: (parse(text) as Workflow).jobs.test?.steps ?? [], workflow: parse(text) as Workflow };
};
const runs = (steps: { run?: string }[]) => steps.map((s) => s.run).filter(Boolean);
const uses = (steps: { uses?: string }[]) => steps.map((s) => s.uses).filter(Boolean);

describe("githubWorkflow", () => {
  it.each([
    ["node", [], "actions/setup-node@v4", ["npm ci", "npx devstack test -- npm test"]],
    ["python", ["requirements.txt"], "actions/setup-python@v5", ["pip install -r requirements.txt", "npx devstack test -- pytest"]],
    ["python", ["poetry.lock"], "actions/setup-python@v5", ["pipx install poetry", "poetry install --no-interaction", "npx devstack test -- poetry run pytest"]],
    ["python", ["uv.lock"], "astral-sh/setup-uv@v5", ["uv sync --frozen", "npx devstack test -- uv run pytest"]],
    ["go", ["go.mod"], "actions/setup-go@v5", ["npx devstack test -- go test ./..."]],
    ["ruby", ["spec/models/user_spec.rb"], "ruby/setup-ruby@v1", ["npx devstack test -- bundle exec rspec"]],
    ["ruby", ["test/models/user_test.rb"], "ruby/setup-ruby@v1", ["npx devstack test -- bin/rails test"]],
    ["java", ["pom.xml"], "actions/setup-java@v4", ["npx devstack test -- mvn -B test"]],
    ["java", ["gradlew"], "actions/setup-java@v4", ["npx devstack test -- ./gradlew test"]],
    ["rust", [], "dtolnay/rust-toolchain@stable", ["npx devstack test -- cargo test"]],
    ["php", [], "shivammathur/setup-php@v2", ["composer install --no-interaction --prefer-dist", "npx devstack test -- vendor/bin/phpunit"]],
  ] as const)("tests a %s app (%j) with its own toolchain", (language, files, setup, commands) => {
    const { steps } = testJob(language, [...files]);
    expect(uses(steps)).toContain(setup);
    expect(runs(steps)).toEqual(commands);
    // devstack itself runs through npx in every job.
    expect(uses(steps)).toContain("actions/setup-node@v4");
  });

  it("hands each external secret in from the repository's secrets, on stdin, before the tests", () => {
    const steps = (parse(githubWorkflow("shop", { language: "node" }, ["package.json"], ["STRIPE_API_KEY"])) as Workflow).jobs.test?.steps ?? [];
    const at = steps.findIndex((s) => String(s.run ?? "").includes("secrets set STRIPE_API_KEY"));
    expect(steps[at]).toMatchObject({ run: `printf '%s' "$VALUE" | npx devstack secrets set STRIPE_API_KEY`, env: { VALUE: "${{ secrets.STRIPE_API_KEY }}" } });
    expect(at).toBeLessThan(steps.findIndex((s) => String(s.run ?? "").startsWith("npx devstack test")));
  });

  it("uses the ruby setup's bundler cache", () => {
    expect(testJob("ruby").steps.find((s) => s.uses === "ruby/setup-ruby@v1")?.with).toMatchObject({ "bundler-cache": true });
  });

  it("marks the test step to replace when no toolchain is known, and fails until then", () => {
    const { steps, text } = testJob(undefined);
    expect(runs(steps)).toEqual(['echo "add your test command here" && exit 1']);
    expect(text).toContain("# No toolchain was recognised");
  });

  it("keeps Node in the deploy and promote jobs, whatever the app's language", () => {
    const { workflow } = testJob("go", ["go.mod"]);
    for (const job of ["staging", "production"]) {
      expect(uses(workflow.jobs[job]?.steps ?? [])).toContain("actions/setup-node@v4");
      expect(runs(workflow.jobs[job]?.steps ?? [])).not.toContain("npm ci");
    }
    expect(runs(workflow.jobs.production?.steps ?? [])).toContain("npx devstack promote --profile prod --from staging --yes --json");
  });
});
