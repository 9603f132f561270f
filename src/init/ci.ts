import { stringify } from "yaml";

const setup = [
  { uses: "actions/checkout@v4" },
  { uses: "actions/setup-node@v4", with: { "node-version": 22, cache: "npm" } },
  { run: "npm ci" },
];

const aws = { uses: "aws-actions/configure-aws-credentials@v4", with: { "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}" } };

/**
 * The GitHub Actions workflow `devstack init --ci github` writes: tests
 * against an isolated stack, then a deploy to staging, then the very digest
 * that runs in staging promoted to prod behind the `production` environment's
 * approval. AWS access is by OIDC: no long-lived key is stored in GitHub.
 */
export function githubWorkflow(app: string): string {
  const workflow = {
    name: app,
    on: { push: { branches: ["main"] }, pull_request: null },
    permissions: { contents: "read", "id-token": "write" },
    concurrency: { group: "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": false },
    jobs: {
      test: {
        "runs-on": "ubuntu-24.04",
        "timeout-minutes": 45,
        steps: [...setup, { name: "tests against an isolated stack", run: "npx devstack test -- npm test" }],
      },
      staging: {
        if: "github.ref == 'refs/heads/main'",
        needs: "test",
        "runs-on": "ubuntu-24.04",
        environment: "staging",
        steps: [...setup, aws, { run: "npx devstack diff staging prod --strict" }, { run: "npx devstack deploy --profile staging --json" }],
      },
      production: {
        needs: "staging",
        "runs-on": "ubuntu-24.04",
        environment: "production",
        steps: [...setup, aws, { name: "promote the digest running in staging", run: "npx devstack promote --profile prod --from staging --yes --json" }],
      },
    },
  };
  return `# Written by \`devstack init --ci github\`. Set the repository variables
# AWS_DEPLOY_ROLE_ARN (an IAM role GitHub's OIDC provider may assume) and
# AWS_REGION, and give the "production" environment required reviewers.
${stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
