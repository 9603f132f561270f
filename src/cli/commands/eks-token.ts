import { eksToken, execCredential } from "../../deploy/eks.js";
import { DevstackError } from "../../errors.js";

/** kubectl's and helm's exec credential plugin for EKS (see src/deploy/eks.ts); prints an ExecCredential. */
export async function run(options: { cluster?: string; region?: string }): Promise<number> {
  const cluster = options.cluster as string;
  const region = options.region as string;
  // The SDK's standard chain: environment, SSO, profiles, web identity (IRSA/OIDC in CI), container and instance roles.
  const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
  let credentials;
  try {
    credentials = await defaultProvider()();
  } catch (error) {
    throw new DevstackError(`no AWS credentials for EKS ${cluster}: ${(error as Error).message}`, { fix: "sign in: `aws sso login --profile NAME` and export AWS_PROFILE=NAME" });
  }
  // The token goes to stdout for the Kubernetes client alone; it is not a devstack secret to redact.
  process.stdout.write(`${execCredential(await eksToken(cluster, region, credentials))}\n`);
  return 0;
}
