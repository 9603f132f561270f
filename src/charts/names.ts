/** Names shared by the charts, the local stack and the secret stores; the same in every profile. */
export const PLATFORM_NAMESPACE = "devstack-system";
export const PLATFORM_RELEASE = "devstack-platform";
export const SECRETS_NAMESPACE = "devstack-secrets";
export const CLUSTER_ISSUER = "devstack-acme";
export const SECRET_STORE = "devstack";
/** The selector-less Service through which pods reach the Postgres container beside k3s. */
export const LOCAL_POSTGRES_HOST = `postgres.${PLATFORM_NAMESPACE}.svc.cluster.local`;
/** Kubernetes version the manifests are rendered for and validated against (kubernetes-models 5.1). */
export const KUBE_VERSION = "1.34.0";

/** Store entries (local Secret names, AWS secret names after the store's prefix). */
export const storeKeys = (app: string) => ({ app: `${app}-app`, database: `${app}-database` });
/** The selector-less Service through which pods reach the object store container beside k3s. */
export const LOCAL_OBJECT_STORE_URL = `http://object-store.${PLATFORM_NAMESPACE}.svc.cluster.local:9000`;
