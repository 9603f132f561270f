import { describe, expect, it } from "vitest";
import { validateManifests } from "../charts/validate.js";
import type { Manifest } from "../charts/manifests.js";
import { secretsAccessObjects, storeSecretObjects } from "./secret-objects.js";

describe("storeSecretObjects", () => {
  const snapshot = {
    app: { SESSION_KEY: { value: "session-value-123", updatedAt: "t" } },
    database: { username: { value: "hello_app", updatedAt: "t" }, password: { value: "pw-value-456", updatedAt: "t" } },
    redis: {}, platform: { "postgres-superuser-password": { value: "superuser-secret-789", updatedAt: "t" } },
  };

  it("makes one Secret per group in devstack-secrets, named as the ExternalSecrets read them", () => {
    const objects = storeSecretObjects("hello", snapshot, "v1");
    // The app and platform groups exist even when empty (every profile's ExternalSecrets read them); the database's only with values.
    expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(["devstack-secrets/hello-app", "devstack-secrets/hello-database", "devstack-secrets/hello-platform"]);
    expect(objects[2]?.data).toEqual({});
    expect(storeSecretObjects("hello", { ...snapshot, database: {} }, "v1").map((o) => o.metadata.name)).toEqual(["hello-app", "hello-platform"]);
    expect(objects[1]?.data).toEqual({ username: Buffer.from("hello_app").toString("base64"), password: Buffer.from("pw-value-456").toString("base64") });
    expect(objects[0]?.metadata.annotations["devstack.dev/secrets-version"]).toBe("v1");
    // The local Postgres superuser never enters the cluster.
    expect(JSON.stringify(objects)).not.toContain(Buffer.from("superuser-secret-789").toString("base64"));
  });

  it("produces valid Kubernetes Secrets", async () => {
    expect(await validateManifests(storeSecretObjects("hello", snapshot, "v1") as unknown as Manifest[])).toEqual([]);
  });
});

describe("secretsAccessObjects", () => {
  it("gives External Secrets read access to the local store's namespace, kept across platform upgrades", async () => {
    const objects = secretsAccessObjects() as unknown as Manifest[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Namespace/devstack-secrets", "ServiceAccount/secret-reader", "Role/secret-reader", "RoleBinding/secret-reader"]);
    for (const o of objects) expect(o.metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
    expect(await validateManifests(objects)).toEqual([]);
  });
});
