import { Readable } from "node:stream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { HttpResponse, type HttpRequest } from "@smithy/core/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/resolve.js";
import { AwsSecretsManagerStore } from "./aws-store.js";
import { secretPlan } from "./model.js";
import { rotateSecret, secretsVersion, setSecret, syncSecrets } from "./sync.js";

// The one test double devstack allows: no AWS endpoint runs here, so the
// SDK's request handler (its HTTP layer) is replaced by an in-memory Secrets
// Manager that speaks the same JSON protocol. Everything above it — command
// serialisation, signing, retries, error parsing — is the real SDK.

interface Version {
  id: string;
  string: string;
  created: number;
}
interface FakeSecret {
  versions: Version[];
  tags: { Key: string; Value: string }[];
}

class FakeSecretsManager {
  readonly secrets = new Map<string, FakeSecret>();
  readonly requests: { target: string; headers: Record<string, string>; path: string }[] = [];
  /** Runs before a write is applied, to play a concurrent writer. */
  beforeWrite?: () => void;
  denyAll = false;

  async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    const target = String(request.headers["x-amz-target"]).replace("secretsmanager.", "");
    const body = JSON.parse(String(request.body ?? "{}")) as Record<string, unknown>;
    this.requests.push({ target, headers: { ...request.headers }, path: request.path });
    if (this.denyAll) return this.error("AccessDeniedException", "not authorized");
    const id = String(body.SecretId ?? body.Name);
    const secret = this.secrets.get(id);
    switch (target) {
      case "GetSecretValue": {
        if (!secret) return this.error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        const current = secret.versions.at(-1) as Version;
        return this.ok({ ARN: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${id}`, Name: id, VersionId: current.id, SecretString: current.string, CreatedDate: current.created, VersionStages: ["AWSCURRENT"] });
      }
      case "CreateSecret": {
        this.beforeWrite?.();
        if (this.secrets.has(id)) return this.error("ResourceExistsException", "The operation failed because the secret already exists.");
        this.secrets.set(id, { versions: [{ id: String(body.ClientRequestToken), string: String(body.SecretString), created: Date.now() / 1000 }], tags: (body.Tags as FakeSecret["tags"]) ?? [] });
        return this.ok({ ARN: `arn:${id}`, Name: id, VersionId: body.ClientRequestToken });
      }
      case "PutSecretValue": {
        this.beforeWrite?.();
        if (!secret) return this.error("ResourceNotFoundException", "not found");
        const token = String(body.ClientRequestToken);
        const same = secret.versions.find((v) => v.id === token);
        if (same && same.string !== body.SecretString) return this.error("ResourceExistsException", "You can't modify an existing version, you can only create new versions.");
        if (!same) secret.versions.push({ id: token, string: String(body.SecretString), created: Date.now() / 1000 });
        return this.ok({ ARN: `arn:${id}`, Name: id, VersionId: token });
      }
      default:
        return this.error("InvalidRequestException", `unsupported ${target}`);
    }
  }

  private ok(body: unknown) {
    return { response: new HttpResponse({ statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: Readable.from([Buffer.from(JSON.stringify(body))]) }) };
  }

  private error(type: string, message: string) {
    return {
      response: new HttpResponse({
        statusCode: 400,
        headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type },
        body: Readable.from([Buffer.from(JSON.stringify({ __type: type, message }))]),
      }),
    };
  }
}

const HELLO = join(import.meta.dirname, "..", "..", "examples", "hello");
const prodConfig = loadConfig({ cwd: HELLO, profile: "prod" });
const plan = secretPlan(prodConfig);
const home = mkdtempSync(join(tmpdir(), "devstack-aws-"));
const saved = process.env.DEVSTACK_HOME;
beforeAll(() => {
  process.env.DEVSTACK_HOME = home;
});
afterAll(() => {
  process.env.DEVSTACK_HOME = saved;
  rmSync(home, { recursive: true, force: true });
});

function setup() {
  const fake = new FakeSecretsManager();
  const client = new SecretsManagerClient({
    region: "eu-central-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    requestHandler: { handle: (request: HttpRequest) => fake.handle(request) },
    maxAttempts: 1,
  });
  return { fake, store: new AwsSecretsManagerStore(client, "hello/prod/", "hello", "prod", "eu-central-1") };
}

describe("the AWS Secrets Manager store", () => {
  it("creates one tagged secret per group under the prefix, as the ClusterSecretStore reads them", async () => {
    const { fake, store } = setup();
    const result = await syncSecrets(plan, store);
    expect(result.created).toEqual(["SESSION_KEY", "WEBHOOK_SIGNING_KEY", "JWT_PRIVATE_KEY", "database.username", "database.password", "platform.GRAFANA_ADMIN_PASSWORD"]);
    expect(result.missingExternal).toEqual(["STRIPE_API_KEY", "platform.SMTP_PASSWORD"]);
    expect([...fake.secrets.keys()].sort()).toEqual(["hello/prod/hello-app", "hello/prod/hello-database", "hello/prod/hello-platform"]);
    const app = fake.secrets.get("hello/prod/hello-app") as FakeSecret;
    expect(app.tags).toEqual([
      { Key: "devstack.app", Value: "hello" },
      { Key: "devstack.profile", Value: "prod" },
      { Key: "devstack.group", Value: "app" },
    ]);
    // First made to exist (empty), then given its values: the app's ExternalSecret extracts exactly these keys.
    expect(app.versions[0]?.string).toBe("{}");
    const stored = JSON.parse(app.versions.at(-1)?.string ?? "{}") as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(["JWT_PRIVATE_KEY", "SESSION_KEY", "WEBHOOK_SIGNING_KEY"]);
    expect(stored.SESSION_KEY).toBe(result.snapshot.app.SESSION_KEY?.value);
  });

  it("makes the groups every ExternalSecret reads exist for an app with no secrets", async () => {
    const { fake, store } = setup();
    await syncSecrets(secretPlan({ ...prodConfig, app: { ...prodConfig.app, secrets: {}, database: undefined } }), store);
    expect(fake.secrets.get("hello/prod/hello-app")?.versions.map((v) => v.string)).toEqual(["{}"]);
    expect(Object.keys(JSON.parse(fake.secrets.get("hello/prod/hello-platform")?.versions.at(-1)?.string ?? "{}") as object)).toEqual(["GRAFANA_ADMIN_PASSWORD"]);
  });

  it("drops the change times older versions kept inside the JSON, keeping every value and its time", async () => {
    const { fake, store } = setup();
    fake.secrets.set("hello/prod/hello-app", {
      versions: [{ id: "legacy-version-00000000000000000000", string: JSON.stringify({ SESSION_KEY: "kept-0123456789", __devstack_updated: JSON.stringify({ SESSION_KEY: "2026-01-02T03:04:05.000Z" }) }), created: 1 }],
      tags: [],
    });
    expect((await store.read()).app.SESSION_KEY).toEqual({ value: "kept-0123456789", updatedAt: "2026-01-02T03:04:05.000Z" });
    await syncSecrets(plan, store);
    const latest = JSON.parse(fake.secrets.get("hello/prod/hello-app")?.versions.at(-1)?.string ?? "{}") as Record<string, string>;
    expect(latest.SESSION_KEY).toBe("kept-0123456789");
    expect(latest).not.toHaveProperty("__devstack_updated");
  });

  it("is idempotent: a second sync writes nothing", async () => {
    const { fake, store } = setup();
    await syncSecrets(plan, store);
    const writes = () => fake.requests.filter((r) => r.target !== "GetSecretValue").length;
    const before = writes();
    expect((await syncSecrets(plan, store)).created).toEqual([]);
    expect(writes()).toBe(before);
  });

  it("adds a value as a new version of the group's secret and reads it back", async () => {
    const { fake, store } = setup();
    await syncSecrets(plan, store);
    const versions = () => fake.secrets.get("hello/prod/hello-app")?.versions.length ?? 0;
    const before = versions();
    await setSecret(plan, store, "STRIPE_API_KEY", "sk_live_aws_0123456789");
    expect(versions()).toBe(before + 1);
    expect((await store.read()).app.STRIPE_API_KEY?.value).toBe("sk_live_aws_0123456789");
    await rotateSecret(plan, store, "SESSION_KEY");
    expect(versions()).toBe(before + 2);
  });

  it("never overwrites a concurrent writer: it re-reads and keeps the value that won", async () => {
    const { fake, store } = setup();
    let raced = false;
    fake.beforeWrite = () => {
      if (raced) return;
      raced = true;
      // Another machine creates the app group first, with its own values.
      fake.secrets.set("hello/prod/hello-app", {
        versions: [{ id: "other-writer-version-0000000000000", string: JSON.stringify({ SESSION_KEY: "theirs-0123456789", WEBHOOK_SIGNING_KEY: "w".repeat(64), JWT_PRIVATE_KEY: "k".repeat(40) }), created: 1 }],
        tags: [],
      });
    };
    const result = await syncSecrets(plan, store);
    expect(result.snapshot.app.SESSION_KEY?.value).toBe("theirs-0123456789");
    expect(JSON.parse(fake.secrets.get("hello/prod/hello-app")?.versions.at(-1)?.string ?? "{}").SESSION_KEY).toBe("theirs-0123456789");
  });

  it("sends values only in request bodies, never in URLs or headers", async () => {
    const { fake, store } = setup();
    const result = await syncSecrets(plan, store);
    const value = result.snapshot.app.SESSION_KEY?.value as string;
    for (const r of fake.requests) {
      expect(r.path).not.toContain(value);
      expect(JSON.stringify(r.headers)).not.toContain(value);
    }
  });

  it("explains a denied request with the permissions it needs", async () => {
    const { fake, store } = setup();
    fake.denyAll = true;
    const error = (await store.read().then(
      () => new Error("expected the read to fail"),
      (e: unknown) => e,
    )) as Error & { fix?: string };
    expect(error.message).toMatch(/cannot read hello\/prod\/hello-app in AWS Secrets Manager: AccessDeniedException/);
    expect(error.fix).toMatch(/grant secretsmanager:GetSecretValue/);
  });

  it("returns after a write the snapshot every later read sees, so the deploy's secretsVersion does not move by itself", async () => {
    const { store } = setup();
    const written = await syncSecrets(plan, store);
    await new Promise((r) => setTimeout(r, 20));
    expect(secretsVersion(await store.read())).toBe(secretsVersion(written.snapshot));
    const again = await syncSecrets(plan, store);
    expect(again.created).toEqual([]);
    expect(secretsVersion(again.snapshot)).toBe(secretsVersion(written.snapshot));
  });
});
