import type { Detected } from "./detect.js";

export interface InitFile {
  path: string;
  content: string;
}

/** The files `devstack init` writes; they must validate as they are (a test resolves them). */
export function initFiles(app: Detected, schemaDir: string): InitFile[] {
  const schema = (file: string, depth: number) => `# yaml-language-server: $schema=${"../".repeat(depth)}${schemaDir}/${file}\n`;
  const build = [
    "build:",
    "  context: .",
    `  dockerfile: ${app.dockerfile ?? "Dockerfile"}`,
    ...(app.target ? [`  target: ${app.target}`] : []),
  ].join("\n");
  const appYaml = `${schema("devstack.schema.json", 0)}# The app. Where it runs is in profiles/<name>.yaml; \`devstack config\` shows the result.
name: ${app.name}

${build}

service:
  port: ${app.port}
  health: /healthz
  replicas: 2

env:
  PUBLIC_URL: \${url}

# Secrets are generated or supplied once with \`devstack secrets set NAME\`; never written here.
secrets:
  SESSION_KEY:
    generate: { type: random, length: 48 }

# database:
#   version: "16"
#   name: ${app.name.replace(/-/g, "_")}
`;
  const local = `${schema("profile.schema.json", 1)}# The laptop: \`devstack up\` runs every managed service as a container beside a local k3s.
cluster:
  type: k3s
domain: localhost
replicas: 1
`;
  const prod = `${schema("profile.schema.json", 1)}# Production on EKS: set the cluster, region, domain and contacts to your own.
cluster:
  type: eks
  name: ${app.name}-prod
  region: eu-central-1
registry:
  type: ecr
  account: "123456789012"
domain: example.com
acme:
  type: letsencrypt
  email: ops@example.com
database:
  type: external
  host: ${app.name}-prod.example.com
smtp:
  type: relay
  host: email-smtp.eu-central-1.amazonaws.com
  username: ${app.name}-prod
  from: alerts@example.com
secretStore:
  type: aws-secrets-manager
  prefix: ${app.name}/prod/
  region: eu-central-1
objectStore:
  type: s3
  bucket: ${app.name}-prod-exports
  region: eu-central-1
replicas: 3
`;
  return [
    { path: "devstack.yaml", content: appYaml },
    { path: "profiles/local.yaml", content: local },
    { path: "profiles/prod.yaml", content: prod },
  ];
}
