import type { ErrorKind } from "../errors.js";

// What kind of failure an AWS SDK call ended in, so the fix names the right
// next step: signing in does not help when the network is down.

export type AwsFailureKind = "credentials" | "denied" | "not-found" | "network" | "other";

const NETWORK = new Set(["ENOTFOUND", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "TimeoutError", "RequestTimeout", "NetworkingError"]);
const CREDENTIALS = new Set(["CredentialsProviderError", "ExpiredTokenException", "ExpiredToken", "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "TokenRefreshRequired"]);

function awsFailureKind(error: unknown): AwsFailureKind {
  const e = error as { name?: string; code?: string; cause?: { code?: string } } | undefined;
  const names = [e?.name, e?.code, e?.cause?.code].filter((n): n is string => typeof n === "string");
  if (names.some((n) => NETWORK.has(n))) return "network";
  if (names.some((n) => CREDENTIALS.has(n))) return "credentials";
  if (names.some((n) => n === "AccessDeniedException" || n === "AccessDenied")) return "denied";
  if (names.some((n) => n === "ResourceNotFoundException" || n === "NotFound" || n === "NoSuchBucket")) return "not-found";
  return "other";
}

const SIGN_IN = "sign in: `aws sso login --profile NAME` and export AWS_PROFILE=NAME (or provide credentials the SDK's default chain finds; in CI, OIDC)";

/** The kind of DevstackError an AWS SDK failure is reported as. */
export function awsErrorKind(error: unknown): ErrorKind {
  const kind = awsFailureKind(error);
  if (kind === "denied") return "credentials";
  return kind === "other" ? "failed" : kind;
}

/** The fix for a failure of a call to `service` in `region`, with the kind-specific advice the caller has. */
export function awsFix(error: unknown, region: string, specific: Partial<Record<AwsFailureKind, string>>): string {
  const kind = awsFailureKind(error);
  if (specific[kind]) return specific[kind] as string;
  if (kind === "network") return `the AWS endpoint in ${region} cannot be reached: check the network (proxy, VPN, DNS) and the region in the profile`;
  if (kind === "credentials") return SIGN_IN;
  return "check the profile's region and names, and the identity in use (`aws sts get-caller-identity`)";
}
