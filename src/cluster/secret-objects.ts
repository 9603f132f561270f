import { ALWAYS_READ, GROUPS, SECRETS_NAMESPACE, type Group } from "../project/names.js";

/** A store's values by group, as the secret stores read them (src/secrets/store.ts's Snapshot). */
type Snapshot = Record<Group, Record<string, { value: string }>>;

export interface SecretObject {
  apiVersion: "v1";
  kind: "Secret";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  type: "Opaque";
  data: Record<string, string>;
}

/**
 * The local store's groups as Secrets in namespace devstack-secrets, named
 * like the AWS secrets (<app>-<group>), which is what the ClusterSecretStore's
 * kubernetes provider hands to the chart's ExternalSecrets.
 */
export function storeSecretObjects(app: string, snapshot: Snapshot, version: string): SecretObject[] {
  // The local Postgres superuser stays with devstack: nothing in the cluster needs it.
  const delivered = { ...snapshot, platform: Object.fromEntries(Object.entries(snapshot.platform).filter(([name]) => name !== "postgres-superuser-password")) };
  // The groups every profile's ExternalSecrets read exist even when empty, as in AWS (ensureGroups).
  return GROUPS.filter((group) => Object.keys(delivered[group]).length > 0 || ALWAYS_READ.includes(group)).map((group) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `${app}-${group}`,
      namespace: SECRETS_NAMESPACE,
      labels: { "app.kubernetes.io/managed-by": "devstack", "devstack.dev/app": app, "devstack.dev/group": group },
      annotations: { "devstack.dev/secrets-version": version },
    },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(delivered[group]).map(([name, entry]) => [name, Buffer.from(entry.value).toString("base64")])),
  }));
}

/** The reader the ClusterSecretStore's kubernetes provider authenticates as (charts/platform). */
const SECRET_READER = "secret-reader";

/**
 * The local store's namespace and the read-only identity External Secrets
 * uses on it: delivered with the secrets, only where the store is local.
 * They were part of the platform chart once; `keep` stops a helm upgrade
 * from that chart deleting them.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

export function secretsAccessObjects(): KubeObject[] {
  const metadata = (name: string, namespaced = true) => ({
    name,
    ...(namespaced ? { namespace: SECRETS_NAMESPACE } : {}),
    labels: { "app.kubernetes.io/managed-by": "devstack" },
    annotations: { "helm.sh/resource-policy": "keep" },
  });
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: metadata(SECRETS_NAMESPACE, false) },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(SECRET_READER), automountServiceAccountToken: false },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata(SECRET_READER),
      rules: [
        { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectrulesreviews"], verbs: ["create"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata(SECRET_READER),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SECRET_READER },
      subjects: [{ kind: "ServiceAccount", name: SECRET_READER, namespace: SECRETS_NAMESPACE }],
    },
  ];
}
