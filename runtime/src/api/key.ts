/**
 * Key API handlers: create, import, describe, list, delete, generate, encrypt, decrypt, hmac.
 * @see https://github.com/minio/kes/blob/master/server.go
 */
import { isValidName, isValidPattern, patternPrefix } from "../auth/names";
import { hmacOf, importKeyVersion, newKeyVersion, type KeyVersion } from "../crypto/key-version";
import { randomBytes } from "../crypto/random";
import { ErrCreateKey, ErrDeleteKey, ErrListKeys, ErrReadKey, KesError } from "../errors";
import type { ApiContext, ApiReply } from "../server/context";
import { goTime } from "../server/json";
import { bytesField, decodeBody, decodeJson, stringField } from "./body";
import { keystoreFailure } from "./errors";

/**
 * Checks a key name.
 * @throws KesError 400 `key name '<n>' is empty, too long or contains invalid characters`.
 */
export function checkKeyName(name: string): void {
  if (!isValidName(name))
    throw new KesError(400, `key name '${name}' is empty, too long or contains invalid characters`);
}

async function readKey(ctx: ApiContext): Promise<KeyVersion> {
  try {
    return await ctx.state.keys.get(ctx.resource);
  } catch (e) {
    throw keystoreFailure(ctx, e, ErrReadKey);
  }
}

async function storeKey(ctx: ApiContext, kv: KeyVersion): Promise<void> {
  try {
    await ctx.state.keys.create(ctx.resource, kv);
  } catch (e) {
    throw keystoreFailure(ctx, e, ErrCreateKey);
  }
}

/** PUT /v1/key/create/<name>: 200, 400 invalid name or exists, 502 keystore. */
export async function createKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  await storeKey(ctx, newKeyVersion(ctx.identity));
  return { status: 200 };
}

/** PUT /v1/key/import/<name> `{"key","cipher"}`: 200, 400 body/name/exists, 406 cipher or size, 502. */
export async function importKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  const { key, cipher } = await decodeBody(ctx, "invalid import key request body", (f) => ({
    key: bytesField(f, "key") ?? Buffer.alloc(0),
    cipher: stringField(f, "cipher"),
  }));
  let kv: KeyVersion;
  try {
    kv = importKeyVersion(key, cipher, ctx.identity);
  } finally {
    key.fill(0);
  }
  await storeKey(ctx, kv);
  return { status: 200 };
}

/** GET /v1/key/describe/<name>: `{"name","algorithm","created_at","created_by"}`; 404; 502. */
export async function describeKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  const kv = await readKey(ctx);
  return {
    status: 200,
    json: {
      name: ctx.resource,
      algorithm: kv.key.algorithm,
      created_at: goTime(kv.createdAt, kv.createdAtNanos),
      created_by: kv.createdBy,
    },
  };
}

/**
 * GET /v1/key/list/<pattern>: every matching name in one page, `{"names":[...]}`. `*` and "" list all; a
 * trailing `*` is a prefix match (a superset of KES, which passes it on literally). 400 bad pattern; 502.
 */
export async function listKeys(ctx: ApiContext): Promise<ApiReply> {
  if (!isValidPattern(ctx.resource)) {
    throw new KesError(400, `listing pattern '${ctx.resource}' is empty, too long or is invalid`);
  }
  let names: string[];
  try {
    names = await ctx.state.keys.list(patternPrefix(ctx.resource));
  } catch (e) {
    throw keystoreFailure(ctx, e, ErrListKeys);
  }
  return { status: 200, json: { names } };
}

/** DELETE /v1/key/delete/<name>: 200; 400; 404 when the keystore knows it is missing; 502. */
export async function deleteKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  try {
    await ctx.state.keys.delete(ctx.resource);
  } catch (e) {
    throw keystoreFailure(ctx, e, ErrDeleteKey);
  }
  return { status: 200 };
}

/**
 * PUT /v1/key/generate/<name> `{"context"?}`: a 32-byte data key and its ciphertext,
 * `{"plaintext","ciphertext"}`. The body is optional (none, or Content-Length 0). 400 body/name; 404; 502.
 */
export async function generateKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  let context: Buffer | undefined;
  // KES reads a body unless its length is known to be 0: an empty body of unknown length (HTTP/2 DATA
  // without Content-Length, chunked HTTP/1.1) is not a JSON object, hence 400.
  if (ctx.contentLength === undefined || ctx.contentLength > 0) {
    const body = await ctx.readBody().catch(() => {
      throw new KesError(400, "invalid request body");
    });
    context = decodeJson(body, "invalid request body", (f) => bytesField(f, "context"));
  }
  const kv = await readKey(ctx);
  const dataKey = randomBytes(32);
  let ciphertext: Buffer;
  try {
    ciphertext = kv.key.encrypt(dataKey, context);
  } catch {
    throw new KesError(500, "failed to generate encryption key");
  }
  return {
    status: 200,
    json: { plaintext: dataKey.toString("base64"), ciphertext: ciphertext.toString("base64") },
  };
}

/** PUT /v1/key/encrypt/<name> `{"plaintext","context"?}`: `{"ciphertext"}`; 400; 404; 502. */
export async function encryptKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  const req = await decodeBody(ctx, "invalid request body", (f) => ({
    plaintext: bytesField(f, "plaintext") ?? Buffer.alloc(0),
    context: bytesField(f, "context"),
  }));
  const kv = await readKey(ctx);
  let ciphertext: Buffer;
  try {
    ciphertext = kv.key.encrypt(req.plaintext, req.context);
  } catch {
    throw new KesError(500, "failed to encrypt plaintext");
  } finally {
    req.plaintext.fill(0);
  }
  return { status: 200, json: { ciphertext: ciphertext.toString("base64") } };
}

/**
 * PUT /v1/key/decrypt/<name> `{"ciphertext","context"?}`: `{"plaintext"}`; 400 body/name or
 * `decryption failed: ciphertext is not authentic`; 404; 502.
 */
export async function decryptKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  const req = await decodeBody(ctx, "invalid request body", (f) => ({
    ciphertext: bytesField(f, "ciphertext") ?? Buffer.alloc(0),
    context: bytesField(f, "context"),
  }));
  const kv = await readKey(ctx);
  let plaintext: Buffer;
  try {
    plaintext = kv.key.decrypt(req.ciphertext, req.context);
  } catch (e) {
    if (e instanceof KesError) throw e;
    throw new KesError(500, "failed to decrypt ciphertext");
  }
  const reply = { status: 200, json: { plaintext: plaintext.toString("base64") } };
  plaintext.fill(0);
  return reply;
}

/** PUT /v1/key/hmac/<name> `{"message"}`: `{"hmac"}`; 400; 404; 409 `key does not support HMAC`; 502. */
export async function hmacKey(ctx: ApiContext): Promise<ApiReply> {
  checkKeyName(ctx.resource);
  const message = await decodeBody(
    ctx,
    "invalid request body",
    (f) => bytesField(f, "message") ?? Buffer.alloc(0),
  );
  const kv = await readKey(ctx);
  return { status: 200, json: { hmac: hmacOf(kv, message).toString("base64") } };
}
