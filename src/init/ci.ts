/**
 * The GitHub Actions workflow `devstack init --ci github` writes: tests
 * against an isolated stack, then a deploy to staging, then the very digest
 * that runs in staging promoted to prod behind the `production` environment's
 * approval. AWS access is by OIDC: no long-lived key is stored in GitHub.
 */
export function githubWorkflow(app: string): string {
  return `# Written by \`devstack init --ci github\`. Set the repository variable
# AWS_DEPLOY_ROLE_ARN (an IAM role GitHub's OIDC provider may assume), and
# give the "production" environment required reviewers.
name: ${app}
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
  id-token: write
concurrency:
  group: \${{ github.workflow }}-\${{ github.ref }}
  cancel-in-progress: false
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 45
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - name: tests against an isolated stack
        run: npx devstack test -- npm test
  staging:
    if: github.ref == 'refs/heads/main'
    needs: test
    runs-on: ubuntu-24.04
    environment: staging
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ vars.AWS_DEPLOY_ROLE_ARN }}
          aws-region: \${{ vars.AWS_REGION }}
      - run: npx devstack diff staging prod --strict
      - run: npx devstack deploy --profile staging --json
  production:
    needs: staging
    runs-on: ubuntu-24.04
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: \${{ vars.AWS_DEPLOY_ROLE_ARN }}
          aws-region: \${{ vars.AWS_REGION }}
      - name: promote the digest running in staging
        run: npx devstack promote --profile prod --from staging --yes --json
`;
}
