/** Names shared by the charts, the local stack, the cluster and the secret stores; the same in every profile. */
export const PLATFORM_NAMESPACE = "devstack-system";
export const PLATFORM_RELEASE = "devstack-platform";
export const SECRETS_NAMESPACE = "devstack-secrets";
export const CLUSTER_ISSUER = "devstack-acme";
export const SECRET_STORE = "devstack";
/** The selector-less Service through which pods reach the Postgres container beside k3s. */
export const LOCAL_POSTGRES_HOST = `postgres.${PLATFORM_NAMESPACE}.svc.cluster.local`;
/** Kubernetes version the manifests are rendered for and validated against (kubernetes-models 5.1). */
export const KUBE_VERSION = "1.34.0";

/** The selector-less Service through which pods reach the object store container beside k3s. */
export const LOCAL_OBJECT_STORE_URL = `http://object-store.${PLATFORM_NAMESPACE}.svc.cluster.local:9000`;

/** Store entries are grouped the way the chart's ExternalSecrets read them: one store entry per group. */
export type Group = "app" | "database" | "redis" | "platform";
export const GROUPS: readonly Group[] = ["app", "database", "redis", "platform"];
/** The groups the charts' ExternalSecrets read in every profile, whatever the app declares. */
export const ALWAYS_READ: readonly Group[] = ["app", "platform"];

/** The bucket `up` creates in the local object store; exports land there as they would in the profile's S3 bucket. */
export const LOCAL_EXPORT_BUCKET = "exports";
/**
 * The local object store's keys, stored with the app's secrets under these
 * env names: the app's ExternalSecret then hands them to export CronJobs,
 * which read them as environment variables (on AWS, IRSA replaces them).
 */
export const S3_KEY_ENV = { accessKeyId: "EXPORT_S3_ACCESS_KEY_ID", secretAccessKey: "EXPORT_S3_SECRET_ACCESS_KEY" } as const;
/** Any region signs for the local store; us-east-1 is the one every S3-compatible server accepts. */
export const LOCAL_OBJECT_STORE_REGION = "us-east-1";

/** The selector-less Service through which pods reach the Redis container beside k3s. */
export const LOCAL_REDIS_HOST = `redis.${PLATFORM_NAMESPACE}.svc.cluster.local`;
/** The app's own bucket in the local object store (storage:); in production the profile names it. */
export const localStorageBucket = (app: string) => `${app}-storage`;
/** The selector-less Service through which pods reach the SMTP sink beside k3s, and its SMTP port. */
export const LOCAL_SMTP = { host: `smtp.${PLATFORM_NAMESPACE}.svc.cluster.local`, port: 1025 } as const;
