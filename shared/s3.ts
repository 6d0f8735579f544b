/**
 * A minimal S3 client for the MinIO tests and the doctor's SSE check: path-style requests over plain HTTP on loopback, signed
 * with AWS Signature Version 4 (header auth, signed payload hash). Enough for bucket create, object
 * PUT/GET/HEAD and ListObjectsV2; no retries, no multipart.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { createHash, createHmac } from "node:crypto";
import * as http from "node:http";

/** Root or user credentials. */
export interface S3Credentials {
  readonly accessKey: string;
  /** Secret: never print it. */
  readonly secretKey: string;
  /** @default "us-east-1" */
  readonly region?: string;
}

/** A response, with lowercase header names. */
export interface S3Response {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept; `/` kept when `keepSlash`). */
export function uriEncode(s: string, keepSlash: boolean): string {
  return Array.from(Buffer.from(s, "utf8"))
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) return c;
      return "%" + b.toString(16).toUpperCase().padStart(2, "0");
    })
    .join("");
}

/**
 * The SigV4 Authorization header value for a request. Pure: `amzDate` is `YYYYMMDDTHHMMSSZ`.
 * `headers` must hold every header to sign (host, x-amz-date, x-amz-content-sha256, x-amz-*), lowercase.
 */
export function signV4(input: {
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  headers: Readonly<Record<string, string>>;
  payloadHash: string;
  amzDate: string;
  credentials: S3Credentials;
}): string {
  const region = input.credentials.region ?? "us-east-1";
  const names = Object.keys(input.headers).sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${input.headers[n].trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalQuery = Object.keys(input.query)
    .sort()
    .map((k) => `${uriEncode(k, false)}=${uriEncode(input.query[k], false)}`)
    .join("&");
  const canonicalRequest = [
    input.method,
    uriEncode(input.path, true),
    canonicalQuery,
    canonicalHeaders,
    names.join(";"),
    input.payloadHash,
  ].join("\n");
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${input.credentials.secretKey}`, day), region), "s3"), "aws4_request");
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKey}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
}

/**
 * Sends one signed request to `endpoint` (http://host:port). `path` is `/bucket` or `/bucket/key`.
 * @throws Error on connection errors only; HTTP errors come back as the response.
 */
export function s3Request(
  endpoint: string,
  credentials: S3Credentials,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Buffer; query?: Record<string, string> } = {},
): Promise<S3Response> {
  const url = new URL(endpoint);
  const body = opts.body ?? Buffer.alloc(0);
  const payloadHash = sha256(body);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-date": amzDate,
    "x-amz-content-sha256": payloadHash,
  };
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  const query = opts.query ?? {};
  headers.authorization = signV4({ method, path, query, headers, payloadHash, amzDate, credentials });
  const qs = Object.keys(query)
    .map((k) => `${uriEncode(k, false)}=${uriEncode(query[k], false)}`)
    .join("&");
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: uriEncode(path, true) + (qs ? `?${qs}` : ""),
        headers: { ...headers, "content-length": String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h[k] = Array.isArray(v) ? v.join(",") : v;
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Bound S3 operations for one endpoint and credentials. */
export function s3Client(endpoint: string, credentials: S3Credentials) {
  const send = (method: string, path: string, opts?: Parameters<typeof s3Request>[4]) =>
    s3Request(endpoint, credentials, method, path, opts);
  return {
    createBucket: (bucket: string) => send("PUT", `/${bucket}`),
    putObject: (bucket: string, key: string, body: Buffer, headers: Record<string, string> = {}) =>
      send("PUT", `/${bucket}/${key}`, { body, headers }),
    getObject: (bucket: string, key: string) => send("GET", `/${bucket}/${key}`),
    headObject: (bucket: string, key: string) => send("HEAD", `/${bucket}/${key}`),
    listObjects: (bucket: string) => send("GET", `/${bucket}`, { query: { "list-type": "2" } }),
  };
}
