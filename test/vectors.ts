/**
 * The API-key test vector of KES-PROTOCOL.md §3.3: the Ed25519 seed 00 01 .. 1f, whose API key is
 * `kes:v1:` + base64(0x00 || seed). A public vector, not a secret; built here so no key string is committed.
 */
export const VECTOR_SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
export const VECTOR_API_KEY = `kes:v1:${Buffer.concat([Buffer.from([0]), VECTOR_SEED]).toString("base64")}`;
/** hex SHA-256 of the DER SubjectPublicKeyInfo of that key. */
export const VECTOR_IDENTITY = "a050837d85070582ccf7394b0988847cc312cb88259b894899f6f239cf1791a5";
