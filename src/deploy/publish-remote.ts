import { readFileSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import type { ResolvedConfig } from "../config/resolve.js";
import { DevstackError, InternalError } from "../errors.js";

export interface Auth {
  username?: string;
  password?: string;
  serveraddress: string;
}

/** ECR: a token from the AWS SDK, and the repository created when missing. */
async function ecrAuth(config: ResolvedConfig, repository: string): Promise<Auth> {
  const registry = config.profile.registry;
  if (registry.type !== "ecr") throw new InternalError(`ECR sign-in asked of a ${registry.type} registry`);
  const region = registry.region ?? (config.profile.cluster.type === "eks" ? config.profile.cluster.region : "us-east-1");
  const { ECRClient, GetAuthorizationTokenCommand, DescribeRepositoriesCommand, CreateRepositoryCommand } = await import("@aws-sdk/client-ecr");
  const ecr = new ECRClient({ region });
  try {
    await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [config.app.name], registryId: registry.account }));
  } catch (error) {
    if ((error as { name?: string }).name !== "RepositoryNotFoundException") throw error;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: config.app.name, imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true }, tags: [{ Key: "devstack.app", Value: config.app.name }] }));
  }
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = out.authorizationData?.[0]?.authorizationToken;
  if (!token) throw new DevstackError("ECR returned no authorization token", { fix: "check that the identity in use may call ecr:GetAuthorizationToken" });
  const [username, password] = Buffer.from(token, "base64").toString().split(":");
  return { username: username as string, password: password as string, serveraddress: repository.split("/")[0] as string };
}

/** Any other registry: the credentials `docker login` stored in ~/.docker/config.json. */
function dockerConfigAuth(repository: string): Auth {
  const host = repository.split("/")[0] as string;
  const file = join(process.env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
  if (existsSync(file)) {
    const auths = (JSON.parse(readFileSync(file, "utf8")) as { auths?: Record<string, { auth?: string }> }).auths ?? {};
    const auth = auths[host]?.auth ?? auths[`https://${host}`]?.auth;
    if (auth) {
      const [username, password] = Buffer.from(auth, "base64").toString().split(":");
      return { username: username as string, password: password as string, serveraddress: host };
    }
  }
  return { serveraddress: host };
}

/** The digest ECR holds for a tag, if it has it (ECR repositories devstack creates refuse re-pushing a tag). */
export async function ecrDigest(config: ResolvedConfig, tag: string): Promise<string | undefined> {
  const registry = config.profile.registry;
  if (registry.type !== "ecr") return undefined;
  const region = registry.region ?? (config.profile.cluster.type === "eks" ? config.profile.cluster.region : "us-east-1");
  const { ECRClient, DescribeImagesCommand } = await import("@aws-sdk/client-ecr");
  try {
    const out = await new ECRClient({ region }).send(new DescribeImagesCommand({ repositoryName: config.app.name, registryId: registry.account, imageIds: [{ imageTag: tag }] }));
    return out.imageDetails?.[0]?.imageDigest;
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "ImageNotFoundException" || name === "RepositoryNotFoundException") return undefined;
    throw error;
  }
}

/** Credentials for pushing to (or pulling from) a profile's registry. */
export async function registryAuth(config: ResolvedConfig, repository: string): Promise<Auth> {
  if (config.profile.registry.type === "ecr") return ecrAuth(config, repository);
  if (config.profile.registry.type === "local") return { serveraddress: repository.split("/")[0] as string };
  return dockerConfigAuth(repository);
}

/** Pushes a tag with registry credentials; returns the digest the registry reports. */
export async function pushWithAuth(docker: Docker, ref: string, auth: Auth): Promise<string | undefined> {
  const stream = await docker.getImage(ref).push({ authconfig: auth });
  let found: string | undefined;
  await new Promise<void>((ok, fail) =>
    docker.modem.followProgress(stream, (error, output: { error?: string; aux?: { Digest?: string } }[]) => {
      const failed = error ?? output.find((o) => o.error)?.error;
      found = output.find((o) => o.aux?.Digest)?.aux?.Digest;
      if (failed) fail(new DevstackError(`pushing ${ref} failed: ${String((failed as Error).message ?? failed)}`, { fix: "check the registry credentials (`docker login`, or the AWS identity for ECR)" }));
      else ok();
    }),
  );
  return found;
}
