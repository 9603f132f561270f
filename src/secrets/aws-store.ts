import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsErrorKind } from "../aws/failure.js";
import { DevstackError } from "../errors.js";
import { userDirs } from "../fs/paths.js";
import { GROUPS, type Group } from "./model.js";
import { fsStep } from "./store-errors.js";
import { withLock } from "./store-lock.js";
import { applyChanges, emptySnapshot, type Change, type SecretStore, type Snapshot } from "./store.js";

// Older versions kept per-value change times in the same JSON under this
// key. The app's ExternalSecret now extracts the whole group (so it is the
// same manifest whatever the app declares), which would hand this key to
// pods: it is read for its times, never written, and removed by ensureGroups.
const LEGACY_META = "__devstack_updated";

interface Remote {
  snapshot: Snapshot;
  versions: Partial<Record<Group, string>>;
  /** Groups still holding the legacy times key. */
  legacy: Group[];
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? "";
}

/**
 * AWS Secrets Manager: one secret per group, named <prefix><app>-<group> and
 * holding a JSON object, which is what the ClusterSecretStore (with the same
 * prefix) and the chart's ExternalSecrets read. Credentials come from the
 * SDK's standard chain (SSO, profiles, IRSA/OIDC in CI).
 */
export class AwsSecretsManagerStore implements SecretStore {
  readonly kind = "aws-secrets-manager" as const;
  readonly location: string;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly app: string,
    private readonly profile: string,
    region: string,
  ) {
    this.location = `AWS Secrets Manager (${region}) ${prefix}${app}-{${GROUPS.join(",")}}`;
  }

  secretName(group: Group): string {
    return `${this.prefix}${this.app}-${group}`;
  }

  async read(): Promise<Snapshot> {
    return (await this.readRemote()).snapshot;
  }

  private async readRemote(): Promise<Remote> {
    const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const remote: Remote = { snapshot: emptySnapshot(), versions: {}, legacy: [] };
    for (const group of GROUPS) {
      try {
        const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretName(group) }));
        const values = JSON.parse(out.SecretString ?? "{}") as Record<string, string>;
        const times = JSON.parse(values[LEGACY_META] ?? "{}") as Record<string, string>;
        if (values[LEGACY_META] !== undefined) remote.legacy.push(group);
        // A value's time is its version's: the group's secret changes as a whole.
        const written = (out.CreatedDate ?? new Date(0)).toISOString();
        for (const [name, value] of Object.entries(values)) {
          if (name !== LEGACY_META) remote.snapshot[group][name] = { value, updatedAt: times[name] ?? written };
        }
        if (out.VersionId) remote.versions[group] = out.VersionId;
      } catch (error) {
        if (errorName(error) !== "ResourceNotFoundException") throw this.failure("read", group, error);
      }
    }
    return remote;
  }

  private failure(what: string, group: Group, error: unknown): DevstackError {
    const name = errorName(error);
    const fix =
      name === "CredentialsProviderError" || name === "ExpiredTokenException" || name === "UnrecognizedClientException"
        ? "sign in: `aws sso login --profile NAME` and export AWS_PROFILE=NAME (or provide credentials the SDK's default chain finds)"
        : name === "AccessDeniedException"
          ? `grant secretsmanager:GetSecretValue, PutSecretValue, CreateSecret and TagResource on ${this.prefix}* to the identity in use`
          : "check the region and prefix in the profile's secretStore";
    return new DevstackError(`cannot ${what} ${this.secretName(group)} in AWS Secrets Manager: ${name || "error"}: ${(error as Error).message}`, { fix, kind: awsErrorKind(error) });
  }

  async update(decide: (current: Snapshot) => Change[] | Promise<Change[]>): Promise<{ snapshot: Snapshot; applied: Change[] }> {
    return this.locked(async () => {
      for (let attempt = 0; ; attempt++) {
        const remote = await this.readRemote();
        const changes = await decide(remote.snapshot);
        if (changes.length === 0) return { snapshot: remote.snapshot, applied: [] };
        const next = applyChanges(remote.snapshot, changes);
        const conflict = await this.write(next, [...new Set(changes.map((c) => c.group))], remote.versions);
        // Times come from the versions AWS recorded, as every later read sees them: a snapshot
        // stamped with this machine's clock would change secretsVersion on the next deploy.
        if (!conflict) return { snapshot: (await this.readRemote()).snapshot, applied: changes };
        if (attempt >= 3) throw this.churn();
      }
    });
  }

  /**
   * Every group an ExternalSecret reads exists, if only as `{}` (ESO fails on
   * a missing secret), and none still carries the legacy times key.
   */
  async ensureGroups(groups: readonly Group[]): Promise<void> {
    await this.locked(async () => {
      for (let attempt = 0; ; attempt++) {
        const remote = await this.readRemote();
        const todo = groups.filter((g) => !remote.versions[g] || remote.legacy.includes(g));
        if (todo.length === 0 || !(await this.write(remote.snapshot, todo, remote.versions))) return;
        if (attempt >= 3) throw this.churn();
      }
    });
  }

  private churn(): DevstackError {
    return new DevstackError(`secrets in ${this.location} kept changing while devstack wrote them`, { fix: "run the command again" });
  }

  // Runs on this machine queue on a lock; runs elsewhere are caught by the version token in write().
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const lockDir = join(userDirs().cache, "locks");
    const lockTarget = join(lockDir, `aws-${createHash("sha256").update(this.location).digest("hex").slice(0, 16)}`);
    return fsStep("lock", lockTarget, async () => {
      mkdirSync(lockDir, { recursive: true });
      return withLock(lockTarget, `the AWS secrets of ${this.app} (${this.profile})`, work);
    });
  }

  /** Writes the given groups of `next`; true when another writer got there first. */
  private async write(next: Snapshot, groups: Group[], versions: Remote["versions"]): Promise<boolean> {
    const { CreateSecretCommand, PutSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    for (const group of groups) {
      const entries = next[group];
      const body: Record<string, string> = Object.fromEntries(Object.entries(entries).map(([n, e]) => [n, e.value]));
      // The token is a function of the version this write is based on: two
      // writers from the same version collide, and the second is refused
      // (ResourceExists) instead of overwriting; it re-reads and tries again.
      const token = createHash("sha256").update(`${this.secretName(group)}\0${versions[group] ?? "new"}`).digest("hex").slice(0, 64);
      try {
        if (versions[group]) {
          await this.client.send(new PutSecretValueCommand({ SecretId: this.secretName(group), SecretString: JSON.stringify(body), ClientRequestToken: token }));
        } else {
          await this.client.send(
            new CreateSecretCommand({
              Name: this.secretName(group),
              SecretString: JSON.stringify(body),
              ClientRequestToken: token,
              Description: `devstack: ${group} secrets of ${this.app} (${this.profile})`,
              Tags: [
                { Key: "devstack.app", Value: this.app },
                { Key: "devstack.profile", Value: this.profile },
                { Key: "devstack.group", Value: group },
              ],
            }),
          );
        }
      } catch (error) {
        if (errorName(error) === "ResourceExistsException") return true;
        throw this.failure("write", group, error);
      }
    }
    return false;
  }
}
