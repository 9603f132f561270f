import type { ResolvedConfig } from "../config/resolve.js";
import { projectKey } from "../project/ids.js";
import { LocalStore } from "./local-store.js";
import type { SecretStore } from "./store.js";

/** The store a profile names; the AWS SDK loads only for profiles that use it. */
export async function openStore(config: ResolvedConfig): Promise<SecretStore> {
  const store = config.profile.secretStore;
  if (store.type === "local") return LocalStore.forProject(config.app.name, projectKey(config), config.profileName);
  const region = store.region ?? (config.profile.cluster.type === "eks" ? config.profile.cluster.region : "us-east-1");
  const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
  const { AwsSecretsManagerStore } = await import("./aws-store.js");
  return new AwsSecretsManagerStore(new SecretsManagerClient({ region }), store.prefix, config.app.name, config.profileName, region);
}
