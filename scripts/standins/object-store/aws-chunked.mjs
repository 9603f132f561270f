// Decodes S3's aws-chunked content encoding. SDKs send stream bodies that
// way (size;chunk-signature=...\r\n data \r\n ... 0\r\n trailers \r\n);
// RustFS and S3 store the decoded bytes, s3rver would store the framing.
import { Transform } from "node:stream";

const CRLF = Buffer.from("\r\n");

export function isAwsChunked(headers) {
  const encoding = headers["content-encoding"] ?? "";
  return encoding.split(",").some((e) => e.trim() === "aws-chunked") || (headers["x-amz-content-sha256"] ?? "").startsWith("STREAMING-");
}

/** The request's headers as they describe the decoded body. */
export function decodedHeaders(headers) {
  const result = { ...headers, "content-length": headers["x-amz-decoded-content-length"] };
  const encoding = (headers["content-encoding"] ?? "").split(",").map((e) => e.trim()).filter((e) => e && e !== "aws-chunked");
  if (encoding.length > 0) result["content-encoding"] = encoding.join(",");
  else delete result["content-encoding"];
  delete result["transfer-encoding"];
  delete result["x-amz-decoded-content-length"];
  delete result["x-amz-trailer"];
  return result;
}

/**
 * A stream of the payload only. Chunk signatures and trailing checksums are
 * read past, not checked: the request's own signature was verified already.
 */
export function awsChunkedDecoder() {
  let buffered = Buffer.alloc(0);
  let remaining = 0;
  let state = "size";
  return new Transform({
    transform(chunk, _encoding, callback) {
      buffered = buffered.length > 0 ? Buffer.concat([buffered, chunk]) : chunk;
      for (;;) {
        if (state === "size") {
          const end = buffered.indexOf(CRLF);
          if (end < 0) break;
          const size = Number.parseInt(buffered.subarray(0, end).toString("latin1").split(";")[0], 16);
          if (Number.isNaN(size)) return callback(new Error("malformed aws-chunked body"));
          buffered = buffered.subarray(end + 2);
          remaining = size;
          state = size === 0 ? "trailer" : "data";
        } else if (state === "data") {
          if (buffered.length === 0) break;
          const take = Math.min(remaining, buffered.length);
          this.push(buffered.subarray(0, take));
          buffered = buffered.subarray(take);
          remaining -= take;
          if (remaining === 0) state = "data-end";
        } else if (state === "data-end") {
          if (buffered.length < 2) break;
          buffered = buffered.subarray(2);
          state = "size";
        } else {
          buffered = Buffer.alloc(0);
          break;
        }
      }
      callback();
    },
    flush(callback) {
      callback(state === "trailer" ? undefined : new Error("incomplete aws-chunked body"));
    },
  });
}
