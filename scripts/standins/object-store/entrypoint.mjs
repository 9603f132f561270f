// The object-store stand-in: s3rver (the npm S3 server) under the contract
// of the rustfs/rustfs image devstack runs by default:
//   - the data directory is the command's argument (default /data);
//   - one root key pair from RUSTFS_ACCESS_KEY / RUSTFS_SECRET_KEY, or from
//     the files named by RUSTFS_ACCESS_KEY_FILE / RUSTFS_SECRET_KEY_FILE
//     (inline wins; a named file that is missing or empty stops the server),
//     default rustfsadmin / rustfsadmin; s3rver's built-in S3RVER key is revoked;
//   - SigV4 signatures checked against that secret, unsigned requests refused;
//   - the S3 API on RUSTFS_ADDRESS (default :9000), path-style, GET /health.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { awsChunkedDecoder, decodedHeaders, isAwsChunked } from "./aws-chunked.mjs";
import { signatureKind, verifySigV4 } from "./sigv4.mjs";

const require = createRequire(import.meta.url);
const S3rver = require("s3rver");
const AWSAccount = require("s3rver/lib/models/account");
const S3Error = require("s3rver/lib/models/error");

function fail(message) {
  console.error(`object-store: ${message}`);
  process.exit(1);
}

function credential(name) {
  if (process.env[name]) return process.env[name];
  const file = process.env[`${name}_FILE`];
  if (!file) return "rustfsadmin";
  let value = "";
  try {
    value = readFileSync(file, "utf8").trim();
  } catch (error) {
    fail(`cannot read ${name}_FILE ${file}: ${error.message}`);
  }
  if (!value) fail(`${name}_FILE ${file} is empty`);
  return value;
}

const accessKey = credential("RUSTFS_ACCESS_KEY");
const secretKey = credential("RUSTFS_SECRET_KEY");
const directory = process.argv.slice(2).filter((a) => !a.startsWith("-") && a !== "server").at(-1) ?? process.env.RUSTFS_VOLUMES ?? "/data";
const address = /^(.*):(\d+)$/.exec(process.env.RUSTFS_ADDRESS || ":9000") ?? fail(`RUSTFS_ADDRESS ${process.env.RUSTFS_ADDRESS} is not host:port`);
const host = address[1] || "0.0.0.0";
const port = Number(address[2]);

AWSAccount.DUMMY_ACCOUNT.revokeAccessKey("S3RVER");
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);
const secretFor = (key) => (key === accessKey ? secretKey : undefined);

// Koa reads method, url and headers from ctx.req: a decoded body must carry them.
function decodeBody(ctx) {
  const original = ctx.req;
  const body = original.pipe(awsChunkedDecoder());
  original.on("error", (error) => body.destroy(error));
  Object.assign(body, {
    method: original.method,
    url: original.url,
    headers: decodedHeaders(original.headers),
    socket: original.socket,
    connection: original.socket,
    httpVersion: original.httpVersion,
    httpVersionMajor: original.httpVersionMajor,
    httpVersionMinor: original.httpVersionMinor,
  });
  ctx.req = ctx.request.req = ctx.response.req = body;
}

async function rustfsContract(ctx, next) {
  if (ctx.path === "/health" && (ctx.method === "GET" || ctx.method === "HEAD")) {
    ctx.type = "application/json";
    ctx.body = JSON.stringify({ status: "ok", service: "rustfs-standin" });
    return;
  }
  const kind = signatureKind(ctx.req);
  if (kind === "v4") {
    const refused = verifySigV4(ctx.req, secretFor);
    if (refused) throw new S3Error(refused.code, refused.message);
  } else if (kind === "none" && ctx.method !== "OPTIONS") {
    // CORS preflights are unsigned by design; anything else unsigned is anonymous, which RustFS refuses by default.
    throw new S3Error("AccessDenied", "Access Denied.");
  }
  if (isAwsChunked(ctx.req.headers)) decodeBody(ctx);
  await next();
}

// s3rver's own request log assumes a colour terminal and garbles lines in `docker logs`: one plain line per request instead.
async function requestLog(ctx, next) {
  const started = Date.now();
  const line = (status, code = "") => console.log(`${ctx.method} ${ctx.originalUrl.split("?")[0]} ${status}${code && ` ${code}`} ${Date.now() - started}ms`);
  try {
    await next();
    line(ctx.status);
  } catch (error) {
    // Koa turns the error into the response after this returns.
    line(error.status ?? 500, error.code);
    throw error;
  }
}

// Path-style only, as RustFS without RUSTFS_SERVER_DOMAINS: a host name such as object-store is not a bucket.
const app = new S3rver({ directory, vhostBuckets: false, silent: true });
// In place of s3rver's logger, before everything else it does.
app.middleware.splice(0, 1, requestLog, rustfsContract);
const server = createServer(app.callback());
server.listen(port, host, () => console.log(`object-store: S3 API on ${host}:${port}, data in ${directory}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
