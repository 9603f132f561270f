import { createHash, createHmac } from "node:crypto";
import { Readable } from "node:stream";
import { EKSClient } from "@aws-sdk/client-eks";
import { HttpResponse, type HttpRequest } from "@smithy/core/transport";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { describeCluster, eksKubeconfig, eksToken, ensurePodIdentity, execCredential } from "./eks.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const date = new Date("2026-11-26T12:00:00Z");

/** An independent SigV4 check of a presigned URL, written from the AWS documentation. */
function verify(url: URL, secret: string): boolean {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== "X-Amz-Signature");
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = params.map(([k, v]) => [enc(k), enc(v)] as const).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join("&");
  const headers = `host:${url.host}\nx-k8s-aws-id:hello-prod\n`;
  const canonical = ["GET", "/", query, headers, "host;x-k8s-aws-id", createHash("sha256").update("").digest("hex")].join("\n");
  const [, day, region, service] = (url.searchParams.get("X-Amz-Credential") as string).split("/");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", url.searchParams.get("X-Amz-Date"), scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day as string), region as string), service as string), "aws4_request");
  return createHmac("sha256", key).update(toSign).digest("hex") === url.searchParams.get("X-Amz-Signature");
}

describe("EKS tokens", () => {
  it("is a presigned STS GetCallerIdentity URL bound to the cluster, valid 60 s", async () => {
    const token = await eksToken("hello-prod", "eu-central-1", credentials, date);
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
    expect(url.host).toBe("sts.eu-central-1.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host;x-k8s-aws-id");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20261126/eu-central-1/sts/aws4_request");
    expect(verify(url, credentials.secretAccessKey)).toBe(true);
    expect(verify(url, "another-secret")).toBe(false);
  });

  it("answers kubectl's exec plugin protocol", () => {
    const answer = JSON.parse(execCredential("k8s-aws-v1.abc", date));
    expect(answer).toEqual({ kind: "ExecCredential", apiVersion: "client.authentication.k8s.io/v1beta1", spec: {}, status: { expirationTimestamp: "2026-11-26T12:14:00.000Z", token: "k8s-aws-v1.abc" } });
  });
});

describe("reaching EKS from the profile alone", () => {
  // The allowed test double: the SDK's HTTP layer answers as the EKS API would.
  const client = (status: number, body: unknown) =>
    new EKSClient({
      region: "eu-central-1",
      credentials,
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: HttpRequest) => {
          expect(request.path).toBe("/clusters/hello-prod");
          return { response: new HttpResponse({ statusCode: status, headers: { "content-type": "application/json", ...(status >= 400 ? { "x-amzn-errortype": "ResourceNotFoundException" } : {}) }, body: Readable.from([Buffer.from(JSON.stringify(body))]) }) };
        },
      },
    });

  it("takes endpoint and CA from DescribeCluster and writes a kubeconfig with no token in it", async () => {
    const endpoint = await describeCluster(client(200, { cluster: { name: "hello-prod", status: "ACTIVE", endpoint: "https://ABC.gr7.eu-central-1.eks.amazonaws.com", certificateAuthority: { data: "LS0tCA==" } } }), "hello-prod");
    const kubeconfig = parse(eksKubeconfig("hello-prod", "eu-central-1", endpoint, { node: "/usr/bin/node", bin: "/app/bin/devstack.js" }));
    expect(kubeconfig.clusters[0].cluster).toEqual({ server: "https://ABC.gr7.eu-central-1.eks.amazonaws.com", "certificate-authority-data": "LS0tCA==" });
    expect(kubeconfig.users[0].user.exec).toMatchObject({ command: "/usr/bin/node", args: ["/app/bin/devstack.js", "eks-token", "--cluster", "hello-prod", "--region", "eu-central-1"] });
    expect(JSON.stringify(kubeconfig)).not.toContain("k8s-aws-v1");
  });

  it("says what to check when the cluster is not there", async () => {
    const error = (await describeCluster(client(404, { message: "No cluster found for name: hello-prod." }), "hello-prod").then(
      () => new Error("expected a failure"),
      (e: unknown) => e,
    )) as Error & { fix?: string };
    expect(error.message).toMatch(/cannot describe EKS cluster hello-prod: ResourceNotFoundException/);
    expect(error.fix).toMatch(/check cluster.name and cluster.region/);
  });
});

describe("EKS Pod Identity for the secrets operator", () => {
  // The allowed test double: an in-memory EKS API behind the SDK's HTTP layer.
  function fakeEks(initial: { id: string; roleArn: string }[] = []) {
    const associations = [...initial];
    const calls: string[] = [];
    const reply = (body: unknown) => ({ response: new HttpResponse({ statusCode: 200, headers: { "content-type": "application/json" }, body: Readable.from([Buffer.from(JSON.stringify(body))]) }) });
    const client = new EKSClient({
      region: "eu-central-1",
      credentials,
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: HttpRequest) => {
          calls.push(`${request.method} ${request.path}`);
          const body = request.body ? (JSON.parse(String(request.body)) as { roleArn?: string }) : {};
          const base = "/clusters/hello-prod/pod-identity-associations";
          if (request.method === "GET" && request.path === base) {
            expect(request.query).toMatchObject({ namespace: "devstack-system", serviceAccount: "external-secrets" });
            return reply({ associations: associations.map((a) => ({ associationId: a.id, namespace: "devstack-system", serviceAccount: "external-secrets" })) });
          }
          if (request.method === "POST" && request.path === base) {
            associations.push({ id: "a-new", roleArn: body.roleArn as string });
            return reply({ association: { associationId: "a-new", roleArn: body.roleArn } });
          }
          const one = associations.find((a) => request.path === `${base}/${a.id}`);
          if (one && request.method === "GET") return reply({ association: { associationId: one.id, roleArn: one.roleArn } });
          if (one && request.method === "POST") {
            one.roleArn = body.roleArn as string;
            return reply({ association: { associationId: one.id, roleArn: one.roleArn } });
          }
          throw new Error(`unexpected ${request.method} ${request.path}`);
        },
      },
    });
    return { client, associations, calls };
  }
  const target = { cluster: "hello-prod", namespace: "devstack-system", serviceAccount: "external-secrets", roleArn: "arn:aws:iam::123456789012:role/eso" };

  it("creates the association, then leaves it alone, then points it at a new role", async () => {
    const eks = fakeEks();
    expect(await ensurePodIdentity(eks.client, target)).toBe("created");
    expect(eks.associations).toEqual([{ id: "a-new", roleArn: target.roleArn }]);
    expect(await ensurePodIdentity(eks.client, target)).toBe("unchanged");
    expect(await ensurePodIdentity(eks.client, { ...target, roleArn: "arn:aws:iam::123456789012:role/eso-2" })).toBe("updated");
    expect(eks.associations).toEqual([{ id: "a-new", roleArn: "arn:aws:iam::123456789012:role/eso-2" }]);
    expect(eks.calls.filter((c) => c.startsWith("POST"))).toHaveLength(2);
  });
});
