// AWS Signature Version 4 verification, in the Authorization header or a
// presigned URL. s3rver only checks that a V4 request names a known access
// key; RustFS, like S3, recomputes the signature with the secret key, so a
// client with a wrong secret is refused. This does the same for the stand-in.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_SKEW_MS = 15 * 60_000;

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();
// SigV4 encodes everything but RFC 3986's unreserved characters.
const encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const decode = (s) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

// Decoded and re-encoded, so the form matches whatever the client computed from the unencoded key.
const canonicalUri = (path) => path.split("/").map((segment) => encode(decode(segment))).join("/");

function canonicalQuery(query, presigned) {
  const pairs = query
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf("=");
      return [encode(decode(eq < 0 ? pair : pair.slice(0, eq))), encode(decode(eq < 0 ? "" : pair.slice(eq + 1)))];
    })
    .filter(([key]) => !(presigned && key === "X-Amz-Signature"));
  pairs.sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

const headerValue = (value) => (Array.isArray(value) ? value.join(",") : (value ?? "")).trim().replace(/\s+/g, " ");

// "20261126T165730Z" -> milliseconds
function parseAmzDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
}

function fromHeader(authorization, headers) {
  const fields = Object.fromEntries([...authorization.slice(ALGORITHM.length).matchAll(/(\w+)=([^,\s]+)/g)].map((m) => [m[1], m[2]]));
  return { credential: fields.Credential, signedHeaders: fields.SignedHeaders, signature: fields.Signature, amzDate: headers["x-amz-date"], payload: headers["x-amz-content-sha256"] };
}

function fromQuery(params) {
  return {
    credential: params.get("X-Amz-Credential") ?? undefined,
    signedHeaders: params.get("X-Amz-SignedHeaders") ?? undefined,
    signature: params.get("X-Amz-Signature") ?? undefined,
    amzDate: params.get("X-Amz-Date") ?? undefined,
    expires: Number(params.get("X-Amz-Expires")),
    payload: params.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD",
  };
}

/** How a request is signed: "v4", "v2" (left to s3rver, which verifies it) or "none". */
export function signatureKind(request) {
  const authorization = request.headers.authorization ?? "";
  const query = request.url.includes("?") ? new URLSearchParams(request.url.slice(request.url.indexOf("?") + 1)) : new URLSearchParams();
  // Any V4 variant is checked here: s3rver would accept one for a known access key without checking it.
  if (authorization.startsWith("AWS4") || query.has("X-Amz-Algorithm")) return "v4";
  if (authorization || query.has("Signature")) return "v2";
  return "none";
}

/**
 * Checks a V4-signed request ({ method, url, headers } as Node's http server
 * gives them) against the secret of the access key it names. Returns
 * undefined when it verifies, otherwise the S3 error code and message.
 */
export function verifySigV4(request, secretFor, now = Date.now()) {
  const q = request.url.indexOf("?");
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const query = q < 0 ? "" : request.url.slice(q + 1);
  const params = new URLSearchParams(query);
  const presigned = params.has("X-Amz-Algorithm");
  const algorithm = presigned ? params.get("X-Amz-Algorithm") : (request.headers.authorization ?? "").split(" ")[0];
  const auth = presigned ? fromQuery(params) : fromHeader(request.headers.authorization, request.headers);
  const scope = auth.credential?.split("/") ?? [];
  if (algorithm !== ALGORITHM || scope.length !== 5 || scope[4] !== "aws4_request" || !auth.signedHeaders || !auth.signature) {
    return presigned ? { code: "AuthorizationQueryParametersError", message: "Error parsing the X-Amz-Credential parameter." } : { code: "AuthorizationHeaderMalformed", message: "The authorization header is malformed." };
  }
  const [accessKey, date, region, service] = scope;
  const secret = secretFor(accessKey);
  if (secret === undefined) return { code: "InvalidAccessKeyId", message: "The Access Key Id you provided does not exist in our records." };
  if (auth.payload === undefined) return { code: "InvalidRequest", message: "Missing required header for this request: x-amz-content-sha256" };
  const signedAt = parseAmzDate(auth.amzDate);
  if (Number.isNaN(signedAt)) return { code: "AccessDenied", message: "AWS authentication requires a valid Date or x-amz-date header" };
  if (presigned && signedAt + auth.expires * 1000 < now) return { code: "AccessDenied", message: "Request has expired" };
  if (!presigned && Math.abs(now - signedAt) > MAX_SKEW_MS) return { code: "RequestTimeTooSkewed", message: "The difference between the request time and the server's time is too large." };

  const names = auth.signedHeaders.split(";");
  const canonicalRequest = [
    request.method,
    canonicalUri(path),
    canonicalQuery(query, presigned),
    names.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join(""),
    auth.signedHeaders,
    // The body is not hashed against it: s3rver stores while it reads, and a local store needs no integrity check.
    auth.payload,
  ].join("\n");
  const stringToSign = [ALGORITHM, auth.amzDate, `${date}/${region}/${service}/aws4_request`, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const expected = Buffer.from(hmac(key, stringToSign).toString("hex"));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your key and signing method." };
  }
  return undefined;
}
