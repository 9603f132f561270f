import type { ServiceKind } from "./facts.js";

export interface InitFile {
  path: string;
  content: string;
}

/** The `# yaml-language-server` line editors read, from a file `depth` directories below the project. */
export function schemaLine(schemaDir: string, file: string, depth: number): string {
  return `# yaml-language-server: $schema=${"../".repeat(depth)}${schemaDir}/${file}\n`;
}

export function localProfile(schemaDir: string): string {
  return `${schemaLine(schemaDir, "profile.schema.json", 1)}# The laptop: \`devstack up\` runs every managed service as a container beside a local k3s.
cluster:
  type: k3s
domain: localhost
replicas: 1
`;
}

/**
 * Production on EKS, with a counterpart for each managed service the app
 * uses: a local stand-in cannot serve a remote cluster. Staging is the same
 * shape under other names.
 */
export function eksProfile(name: string, schemaDir: string, services: ServiceKind[], stage: "prod" | "staging"): string {
  const uses = (s: ServiceKind) => services.includes(s);
  const lines = [
    stage === "prod" ? "# Production on EKS: set the cluster, region, domain and contacts to your own." : "# Staging on EKS, shaped like production.",
    "cluster:",
    "  type: eks",
    `  name: ${name}-${stage}`,
    "  region: eu-central-1",
    "registry:",
    "  type: ecr",
    '  account: "123456789012"',
    `domain: ${stage === "prod" ? "example.com" : "staging.example.com"}`,
    "acme:",
    "  type: letsencrypt",
    "  email: ops@example.com",
    ...(uses("database") ? ["database:", "  type: external", `  host: ${name}-${stage}.example.com`] : []),
    ...(uses("redis") ? ["redis:", "  type: elasticache", `  host: ${name}-${stage}.cache.example.com`] : []),
    ...(uses("storage") ? ["storage:", "  type: s3", `  bucket: ${name}-${stage}-storage`, "  region: eu-central-1"] : []),
    "smtp:",
    "  type: relay",
    "  host: email-smtp.eu-central-1.amazonaws.com",
    `  username: ${name}-${stage}`,
    "  from: alerts@example.com",
    "secretStore:",
    "  type: aws-secrets-manager",
    `  prefix: ${name}/${stage}/`,
    "  region: eu-central-1",
    `replicas: ${stage === "prod" ? 3 : 1}`,
  ];
  return `${schemaLine(schemaDir, "profile.schema.json", 1)}${lines.join("\n")}\n`;
}
