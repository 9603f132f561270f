/**
 * Malformed configs and profiles, each with the one problem it must report.
 * `app` and `profile` replace the valid base files below when given.
 */
export const BASE_APP = `name: shop
service:
  port: 8080
`;

export const BASE_PROFILE = `cluster:
  type: k3s
domain: localhost
`;

export interface MalformedCase {
  title: string;
  app?: string;
  profile?: string;
  /** `file:line:column: path: message`, exactly as devstack prints it; several when one mistake breaks two rules. */
  expected: string | string[];
}

export const MALFORMED: MalformedCase[] = [
  { title: "misspelled top-level key", app: `name: shop\nservise:\n  port: 8080\n`, expected: ["devstack.yaml:1:1: service: missing required key (expected a map)", "devstack.yaml:2:1: servise: unknown key \"servise\" (did you mean \"service\"?)"] },
  { title: "misspelled nested key", app: `name: shop\nservice:\n  prot: 8080\n`, expected: ["devstack.yaml:2:1: service.port: missing required key (expected a number)", "devstack.yaml:3:3: service.prot: unknown key \"prot\" (did you mean \"port\"?)"] },
  { title: "port as a string", app: `name: shop\nservice:\n  port: "80a"\n`, expected: "devstack.yaml:3:9: service.port: expected a number, found \"80a\"" },
  { title: "port out of range", app: `name: shop\nservice:\n  port: 70000\n`, expected: "devstack.yaml:3:9: service.port: expected a port from 1 to 65535, found number 70000" },
  { title: "missing name", app: `service:\n  port: 8080\n`, expected: "devstack.yaml:1:1: name: missing required key (expected a string)" },
  { title: "uppercase name", app: `name: Shop\nservice:\n  port: 8080\n`, expected: "devstack.yaml:1:7: name: expected a lowercase DNS label: letters, digits and '-', starting with a letter, at most 40 characters, found \"Shop\"" },
  { title: "health path without slash", app: `${BASE_APP}  health: healthz\n`, expected: "devstack.yaml:4:11: service.health: expected a URL path starting with '/', such as /healthz, found \"healthz\"" },
  { title: "replicas zero", app: `${BASE_APP}  replicas: 0\n`, expected: "devstack.yaml:4:13: service.replicas: expected at least 1, found number 0" },
  { title: "bad memory quantity", app: `${BASE_APP}  resources:\n    limits:\n      memory: 256MB\n`, expected: "devstack.yaml:6:15: service.resources.limits.memory: expected a memory quantity such as 128Mi or 1Gi, found \"256MB\"" },
  { title: "unknown template reference", app: `${BASE_APP}env:\n  URL: "see \${app.nam}"\n`, expected: "devstack.yaml:5:13: env.URL: unknown template reference ${app.nam} (did you mean \"app.name\"?); known: ${app.name}, ${profile.name}, ${host}, ${url}" },
  { title: "secret in a template", app: `${BASE_APP}env:\n  KEY: \${secrets.API}\n`, expected: "devstack.yaml:5:8: env.KEY: ${secrets.API}: secret values are never available to templates; a declared secret reaches the app as its own environment variable" },
  { title: "unterminated template", app: `${BASE_APP}env:\n  URL: \${url\n`, expected: "devstack.yaml:5:8: env.URL: unterminated template \"${url\": close it with \"}\"" },
  { title: "unknown profile var", app: `${BASE_APP}env:\n  HOST: \${profile.vars.api}\n`, expected: "devstack.yaml:5:9: env.HOST: unknown template reference ${profile.vars.api}; known: ${app.name}, ${profile.name}, ${host}, ${url}" },
  { title: "secret-looking env value", app: `${BASE_APP}env:\n  DB_PASSWORD: hunter2\n`, expected: "devstack.yaml:5:16: env.DB_PASSWORD: DB_PASSWORD looks like a secret: declare it under secrets: (generate or external: true) so its value never sits in a file" },
  { title: "secret given as a plain value", app: `${BASE_APP}secrets:\n  STRIPE_KEY: sk_live_123\n`, expected: "devstack.yaml:5:15: secrets.STRIPE_KEY: expected a map, found a string (value not shown)" },
  { title: "secret with no kind", app: `${BASE_APP}secrets:\n  STRIPE_KEY:\n    description: stripe\n`, expected: "devstack.yaml:5:3: secrets.STRIPE_KEY: exactly one of generate: {type: ...} or external: true" },
  { title: "misspelled recipe type", app: `${BASE_APP}secrets:\n  SESSION:\n    generate: { type: randm }\n`, expected: "devstack.yaml:6:23: secrets.SESSION.generate.type: expected one of \"random\", \"hex\", \"base64url\", \"keypair\", found \"randm\" (did you mean \"random\"?)" },
  { title: "secret name not an env var", app: `${BASE_APP}secrets:\n  session-key:\n    external: true\n`, expected: "devstack.yaml:5:3: secrets.session-key: invalid key \"session-key\": expected an environment variable name such as DATABASE_URL" },
  { title: "bad cron schedule", app: `${BASE_APP}jobs:\n  nightly:\n    schedule: "0 3 * *"\n    command: [node, x.js]\n`, expected: "devstack.yaml:6:15: jobs.nightly.schedule: expected a cron schedule of five fields such as \"0 3 * * *\", or @hourly/@daily/@weekly/@monthly, found \"0 3 * *\"" },
  { title: "job command as a string", app: `${BASE_APP}jobs:\n  nightly:\n    schedule: "0 3 * * *"\n    command: node x.js\n`, expected: "devstack.yaml:7:14: jobs.nightly.command: expected a list, found \"node x.js\"" },
  { title: "unknown time zone", app: `${BASE_APP}jobs:\n  nightly:\n    schedule: "@daily"\n    command: [node]\n    timeZone: Europe/Berln\n`, expected: "devstack.yaml:8:15: jobs.nightly.timeZone: expected an IANA time zone such as UTC or Europe/Berlin, found \"Europe/Berln\"" },
  { title: "alert window without unit", app: `${BASE_APP}alerts:\n  burst:\n    threshold: 5\n    window: "5"\n    to: [ops@example.com]\n`, expected: "devstack.yaml:7:13: alerts.burst.window: expected a duration such as 30s, 5m, 1h or 7d, found \"5\"" },
  { title: "alert recipient not an e-mail", app: `${BASE_APP}alerts:\n  burst:\n    threshold: 5\n    window: 5m\n    to: [ops]\n`, expected: "devstack.yaml:8:10: alerts.burst.to[0]: expected an e-mail address such as ops@example.com, found \"ops\"" },
  { title: "alert level misspelled", app: `${BASE_APP}alerts:\n  burst:\n    level: eror\n    threshold: 5\n    window: 5m\n    to: [ops@example.com]\n`, expected: "devstack.yaml:6:12: alerts.burst.level: expected one of \"debug\", \"info\", \"warn\", \"error\", \"fatal\", found \"eror\" (did you mean \"error\"?)" },
  { title: "export without cursor", app: `${BASE_APP}exports:\n  visits:\n    table: visits\n`, expected: "devstack.yaml:5:3: exports.visits.cursor: missing required key (expected a string)" },
  { title: "database version unsupported", app: `${BASE_APP}database:\n  version: "12"\n  name: shop\n`, expected: "devstack.yaml:5:12: database.version: expected one of \"14\", \"15\", \"16\", \"17\", \"18\", found \"12\"" },
  { title: "DATABASE_URL declared as a secret", app: `${BASE_APP}database:\n  name: shop\nsecrets:\n  DATABASE_URL:\n    external: true\n`, expected: "devstack.yaml:7:3: secrets.DATABASE_URL: DATABASE_URL is derived from database: (never stored twice); remove it from secrets" },
  { title: "duplicate key", app: `name: shop\nname: shop2\nservice:\n  port: 8080\n`, expected: "devstack.yaml:2:1: duplicate key: each key may appear once" },
  { title: "YAML syntax error", app: `name: shop\nservice:\n  port: [8080\n`, expected: "devstack.yaml:3:9: YAML syntax: this [ is never closed: end the list with ]" },
  { title: "misspelled cluster type", profile: `cluster:\n  type: k3\ndomain: localhost\n`, expected: "profiles/local.yaml:2:9: cluster.type: expected one of \"k3s\", \"kube-context\", \"eks\", found \"k3\" (did you mean \"k3s\"?)" },
  { title: "missing cluster", profile: `domain: localhost\n`, expected: "profiles/local.yaml:1:1: cluster: missing required key (expected a map)" },
  { title: "eks without region", profile: `cluster:\n  type: eks\n  name: prod\ndomain: example.com\nacme: { type: letsencrypt, email: ops@example.com }\ndatabase: { type: external, host: db.example.com }\nsmtp: { type: relay, host: smtp.example.com, username: u, from: a@example.com }\nsecretStore: { type: aws-secrets-manager, prefix: shop/ }\nregistry: { type: ecr, account: "123456789012" }\n`, expected: "profiles/local.yaml:1:1: cluster.region: missing required key (expected a string)" },
  { title: "local ACME with a remote cluster", profile: `cluster:\n  type: kube-context\n  context: staging\ndomain: example.com\nacme:\n  type: local\ndatabase: { type: external, host: db.example.com }\nsmtp: { type: relay, host: smtp.example.com, username: u, from: a@example.com }\nsecretStore: { type: aws-secrets-manager, prefix: shop/, region: eu-west-1 }\nregistry: { type: generic, url: ghcr.io/team }\nobjectStore: { type: s3, bucket: shop-exports, region: eu-west-1 }\n`, expected: "profiles/local.yaml:6:9: acme.type: \"local\" runs beside the local k3s cluster only; with cluster type kube-context use letsencrypt or letsencrypt-staging" },
  { title: "domain with uppercase", profile: `cluster:\n  type: k3s\ndomain: Example.COM\n`, expected: "profiles/local.yaml:3:9: domain: expected a lowercase host name such as example.com, found \"Example.COM\"" },
  { title: "misspelled image override component", profile: `${BASE_PROFILE}images:\n  overrides:\n    postgress: mirror.example.com/postgres:16\n`, expected: "profiles/local.yaml:6:5: images.overrides.postgress: unknown key \"postgress\" (did you mean \"postgres\"?)" },
  { title: "letsencrypt without e-mail", profile: `${BASE_PROFILE}acme:\n  type: letsencrypt\n`, expected: "profiles/local.yaml:4:1: acme.email: missing required key (expected a string)" },
  { title: "profile var uses the host", profile: `${BASE_PROFILE}vars:\n  api: api.\${host}\n`, expected: "profiles/local.yaml:5:12: vars.api: ${host} cannot be used here: profile vars are resolved before the host and URL" },
  { title: "registry port as text", profile: `${BASE_PROFILE}ports:\n  registry: five\n`, expected: "profiles/local.yaml:5:13: ports.registry: expected a number, found \"five\"" },
  { title: "unknown key in a profile", profile: `${BASE_PROFILE}replica: 2\n`, expected: "profiles/local.yaml:4:1: replica: unknown key \"replica\" (did you mean \"replicas\"?)" },
  { title: "a job name too long for a CronJob", app: `name: a-rather-long-application-name\nservice:\n  port: 8080\njobs:\n  nightly-cleanup-of-old-sessions:\n    schedule: "@daily"\n    command: [node]\n`, expected: `devstack.yaml:5:3: jobs.nightly-cleanup-of-old-sessions: "a-rather-long-application-name-nightly-cleanup-of-old-sessions" is longer than 52 characters, the limit for a CronJob's name; shorten the job's name` },
  { title: "a scheduled export name too long for a CronJob", app: `name: a-rather-long-application-name\nservice:\n  port: 8080\nexports:\n  sessions-of-old-users:\n    table: sessions\n    cursor: updated_at\n    schedule: "@daily"\n`, expected: `devstack.yaml:5:3: exports.sessions-of-old-users: "a-rather-long-application-name-export-sessions-of-old-users" is longer than 52 characters, the limit for a CronJob's name; shorten the export's name` },
  { title: "a job named like a scheduled export's CronJob", app: `name: shop\nservice:\n  port: 8080\njobs:\n  export-visits:\n    schedule: "@daily"\n    command: [node]\nexports:\n  visits:\n    table: visits\n    cursor: updated_at\n    schedule: "@daily"\n`, expected: `devstack.yaml:5:3: jobs.export-visits: job export-visits would share its CronJob with the scheduled export visits; rename one` },
  { title: "an export overlap that is neither a duration nor a count", app: `name: shop\nservice:\n  port: 8080\nexports:\n  visits:\n    table: visits\n    cursor: updated_at\n    overlap: soon\n`, expected: 'devstack.yaml:8:14: exports.visits.overlap: expected a duration such as 30s, 5m, 1h or 7d, found "soon"' },
  { title: "a domain inside the cluster's DNS", profile: `cluster:\n  type: k3s\ndomain: svc.cluster.local\n`, expected: `profiles/local.yaml:3:9: domain: "svc.cluster.local" overlaps the cluster's own DNS names; use localhost or a domain of yours` },
  { title: "ECR without an account", profile: `${BASE_PROFILE}registry:\n  type: ecr\n  region: eu-west-1\n`, expected: "profiles/local.yaml:4:1: registry.account: missing required key (expected a string)" },
  { title: "ECR without a region outside EKS", profile: `${BASE_PROFILE}registry:\n  type: ecr\n  account: "123456789012"\n`, expected: "profiles/local.yaml:4:1: registry: an ECR registry needs region: (it defaults to the EKS cluster's region only with cluster type eks)" },
];
