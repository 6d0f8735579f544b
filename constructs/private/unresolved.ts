/**
 * Recognises cdktf tokens without importing cdktf, so the pure modules (keystore spec, policy, path checks) load
 * in a project that has no cdktf installed (`kes-vault-kit/spec`). It follows cdktf 0.21's token encoding:
 * strings carry `${TfToken[...]}`, string lists `#{TfToken[...]}` as their only element, string maps a
 * `&{TfToken[...]}` key, numbers and number lists a double whose top 16 bits are a marker; anything with a
 * `resolve()` method is a token too. test/unit/constructs/unresolved.test.ts checks it against
 * `Token.isUnresolved` on real tokens, so a cdktf upgrade that changes the encoding fails there.
 * @see https://github.com/hashicorp/terraform-cdk/blob/main/packages/cdktf/lib/tokens/private/encoding.ts
 */

const KEY = "[a-zA-Z0-9:._-]+";
const STRING_TOKEN = new RegExp(`\\$\\{TfToken\\[${KEY}\\]\\}`);
const LIST_TOKEN = new RegExp(`#\\{TfToken\\[${KEY}\\]\\}`);
const MAP_TOKEN = new RegExp(`&\\{TfToken\\[${KEY}\\]\\}`);

/** Top 16 bits of a token number (sign and exponent; the rest holds the token's index). */
const NUMBER_MARKER = 0xfdff;
/** Top 16 bits of the element of a number-list token. */
const NUMBER_LIST_MARKER = 0xfbff;

function topBits(value: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getUint16(0);
}

/** True when `value` is a cdktf token (known only at apply time), as cdktf's `Token.isUnresolved` says. */
export function isUnresolvedToken(value: unknown): boolean {
  if (typeof value === "string") return STRING_TOKEN.test(value);
  if (typeof value === "number") return topBits(value) === NUMBER_MARKER;
  if (Array.isArray(value) && value.length === 1) {
    const only: unknown = value[0];
    return (
      (typeof only === "string" && LIST_TOKEN.test(only)) ||
      (typeof only === "number" && topBits(only) === NUMBER_LIST_MARKER)
    );
  }
  if (value !== null && typeof value === "object") {
    if (Object.keys(value).some((k) => MAP_TOKEN.test(k))) return true;
    return typeof (value as { resolve?: unknown }).resolve === "function";
  }
  return false;
}
