import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { HttpRequest } from "@smithy/core/transport";
import { SignatureV4 } from "@smithy/signature-v4";
import { stringify } from "yaml";
import type { EKSClient } from "@aws-sdk/client-eks";
import { awsErrorKind, awsFix } from "../aws/failure.js";
import { DevstackError } from "../errors.js";

/** The checksum interface the SigV4 signer wants, on Node's own crypto. */
type Data = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: Data): string | Uint8Array =>
  typeof data === "string" ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: Data) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * What `aws eks get-token` makes: a presigned STS GetCallerIdentity URL bound
 * to the cluster's name, valid for 60 seconds, which EKS accepts as a bearer
 * token. Signing is local: no AWS call is made here.
 */
export async function eksToken(cluster: string, region: string, credentials: AwsCredentials, signingDate = new Date()): Promise<string> {
  const hostname = `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({ credentials, region, service: "sts", sha256: NodeSha256 });
  const request = new HttpRequest({
    method: "GET",
    protocol: "https:",
    hostname,
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host: hostname, "x-k8s-aws-id": cluster },
  });
  const signed = await signer.presign(request, { expiresIn: 60, signingDate });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return `k8s-aws-v1.${Buffer.from(`https://${hostname}/?${query}`).toString("base64url")}`;
}

/** The Kubernetes client's exec-credential answer, printed by the hidden `devstack eks-token` command. */
export function execCredential(token: string, now = new Date()): string {
  return JSON.stringify({
    kind: "ExecCredential",
    apiVersion: "client.authentication.k8s.io/v1beta1",
    spec: {},
    status: { expirationTimestamp: new Date(now.getTime() + 14 * 60_000).toISOString(), token },
  });
}

export interface EksEndpoint {
  endpoint: string;
  certificateAuthority: string;
}

export async function describeCluster(client: EKSClient, name: string): Promise<EksEndpoint> {
  const { DescribeClusterCommand } = await import("@aws-sdk/client-eks");
  try {
    const out = await client.send(new DescribeClusterCommand({ name }));
    const endpoint = out.cluster?.endpoint;
    const ca = out.cluster?.certificateAuthority?.data;
    if (!endpoint || !ca) throw new DevstackError(`EKS cluster ${name} has no endpoint yet (status ${out.cluster?.status ?? "unknown"})`, { fix: "wait until the cluster is ACTIVE" });
    return { endpoint, certificateAuthority: ca };
  } catch (error) {
    if (error instanceof DevstackError) throw error;
    const code = (error as { name?: string }).name ?? "error";
    throw new DevstackError(`cannot describe EKS cluster ${name}: ${code}: ${(error as Error).message}`, {
      fix: awsFix(error, "the profile's region", { "not-found": "check cluster.name and cluster.region in the profile", denied: "allow eks:DescribeCluster to the identity in use" }),
      kind: awsErrorKind(error),
    });
  }
}

/**
 * A kubeconfig for an EKS cluster from the profile alone: endpoint and CA
 * from the EKS API, and a token that devstack itself signs when kubectl or
 * helm ask for one (an exec plugin), so no token is written down.
 */
export function eksKubeconfig(name: string, region: string, endpoint: EksEndpoint, devstack: { node: string; bin: string }): string {
  const id = `devstack-eks-${region}-${name}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: id, cluster: { server: endpoint.endpoint, "certificate-authority-data": endpoint.certificateAuthority } }],
    users: [
      {
        name: id,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: devstack.node,
            args: [devstack.bin, "eks-token", "--cluster", name, "--region", region],
            interactiveMode: "Never",
          },
        },
      },
    ],
    contexts: [{ name: id, context: { cluster: id, user: id } }],
    "current-context": id,
  });
}

export interface PodIdentityTarget {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
}

/**
 * EKS Pod Identity: the association that gives a service account's pods an
 * IAM role, created or pointed at the profile's role; unchanged when it is
 * already. (IRSA needs none: the role rides on the service account.)
 */
export async function ensurePodIdentity(client: EKSClient, target: PodIdentityTarget): Promise<"created" | "updated" | "unchanged"> {
  const { CreatePodIdentityAssociationCommand, ListPodIdentityAssociationsCommand, UpdatePodIdentityAssociationCommand } = await import("@aws-sdk/client-eks");
  try {
    const listed = await client.send(new ListPodIdentityAssociationsCommand({ clusterName: target.cluster, namespace: target.namespace, serviceAccount: target.serviceAccount }));
    const existing = listed.associations?.[0];
    if (!existing?.associationId) {
      await client.send(new CreatePodIdentityAssociationCommand({ clusterName: target.cluster, namespace: target.namespace, serviceAccount: target.serviceAccount, roleArn: target.roleArn, tags: { "devstack.managed": "true" } }));
      return "created";
    }
    const { DescribePodIdentityAssociationCommand } = await import("@aws-sdk/client-eks");
    const described = await client.send(new DescribePodIdentityAssociationCommand({ clusterName: target.cluster, associationId: existing.associationId }));
    if (described.association?.roleArn === target.roleArn) return "unchanged";
    await client.send(new UpdatePodIdentityAssociationCommand({ clusterName: target.cluster, associationId: existing.associationId, roleArn: target.roleArn }));
    return "updated";
  } catch (error) {
    const code = (error as { name?: string }).name ?? "error";
    throw new DevstackError(`cannot give ${target.namespace}/${target.serviceAccount} the role ${target.roleArn} through EKS Pod Identity: ${code}: ${(error as Error).message}`, {
      fix: awsFix(error, "the profile's region", {
        denied: "allow eks:ListPodIdentityAssociations, DescribePodIdentityAssociation, CreatePodIdentityAssociation, UpdatePodIdentityAssociation and iam:PassRole on the role to the identity in use",
        other: "install the eks-pod-identity-agent add-on on the cluster, or set secretStore.identity: irsa in the profile",
      }),
      kind: awsErrorKind(error),
    });
  }
}
