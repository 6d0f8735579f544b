/**
 * Strict standard base64 (RFC 4648 §4, padded), as Go's base64.StdEncoding and encoding/json accept it.
 * Node's Buffer.from(s, "base64") silently skips bad characters, which would accept values Go rejects.
 */

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `text` is padded standard base64 (the empty string included). */
export function isStdBase64(text: string): boolean {
  return STD_BASE64.test(text);
}

/**
 * Decodes padded standard base64.
 * @throws Error `invalid base64: ...` when `text` is not padded standard base64 (the text is not echoed:
 *   it may be key material).
 */
export function decodeStdBase64(text: string): Buffer {
  if (!STD_BASE64.test(text)) {
    throw new Error(
      `invalid base64: expected padded standard base64 (RFC 4648 §4) of ${text.length} characters`,
    );
  }
  return Buffer.from(text, "base64");
}
