/**
 * `identity new` and `identity of`, as `kes identity ...`.
 * @see https://github.com/minio/kes/blob/master/cmd/kes/identity.go
 */
import { createPublicKey } from "node:crypto";
import * as fs from "node:fs";
import { createSelfSignedCertificate, generateCertificateKey } from "../auth/certificate";
import { identityOfApiKey, identityOfPem, identityOfSpki, newApiKey, parseApiKey } from "../auth/identity";
import { parse, UsageError } from "./args";

/** Usage text. */
export const IDENTITY_USAGE = `Usage:
  keyserver identity new [--key FILE --cert FILE] [--ip IP]... [--dns NAME]... [--expiry DURATION_HOURS] [--force] [NAME]
  keyserver identity of <API-KEY | CERT.pem>

identity new        prints a new API key and its identity; with --key/--cert, writes a new Ed25519 private key
                    and a self-signed certificate (serverAuth, clientAuth; SANs from --ip/--dns) instead
identity of         prints the identity of an API key or of the first certificate in a PEM file`;

/** Where command output goes (stdout), so tests can capture it. */
export interface Out {
  write(s: string): unknown;
}

/**
 * Runs `identity <sub> ...`.
 * @throws UsageError for bad arguments; Error when files cannot be read or written, or exist without --force.
 */
export function runIdentity(args: readonly string[], out: Out = process.stdout): void {
  const [sub, ...rest] = args;
  if (sub === "new") return identityNew(rest, out);
  if (sub === "of") return identityOf(rest, out);
  throw new UsageError(`identity: unknown sub-command "${sub ?? ""}": use "identity new" or "identity of"`);
}

function identityNew(args: readonly string[], out: Out): void {
  const { values, positionals } = parse(
    args,
    {
      key: { type: "string" },
      cert: { type: "string" },
      ip: { type: "string", multiple: true },
      dns: { type: "string", multiple: true },
      expiry: { type: "string" },
      force: { type: "boolean", short: "f" },
    },
    true,
  );
  if (positionals.length > 1)
    throw new UsageError(`identity new: expected at most one NAME, got ${positionals.length}`);
  if (!values.key !== !values.cert)
    throw new UsageError("identity new: --key and --cert go together: give both or neither");
  if (!values.key || !values.cert) {
    const apiKey = newApiKey();
    out.write(
      `\nYour API key:\n\n   ${apiKey}\n\nThis is the only time it is shown. Keep it secret and store it in a safe location.\n\nYour Identity:\n\n   ${identityOfApiKey(apiKey)}\n\n`,
    );
    return;
  }
  for (const f of [values.key, values.cert]) {
    if (!values.force && fs.existsSync(f))
      throw new Error(`identity new: "${f}" already exists: use --force to overwrite it`);
  }
  let validityMs = 720 * 3600 * 1000;
  if (values.expiry !== undefined) {
    const h = /^(\d+)h$/.exec(values.expiry);
    if (!h) throw new UsageError(`identity new: --expiry "${values.expiry}" must be hours, e.g. 720h`);
    validityMs = Number(h[1]) * 3600 * 1000;
  }
  const key = generateCertificateKey("ed25519");
  const id = identityOfSpki(createPublicKey(key).export({ type: "spki", format: "der" }));
  const cert = createSelfSignedCertificate({
    privateKey: key,
    commonName: positionals[0] ?? id,
    dnsNames: values.dns ?? [],
    ipAddresses: values.ip ?? [],
    validityMs,
  });
  const keyPem = key.export({ type: "pkcs8", format: "pem" }).toString();
  fs.writeFileSync(values.key, keyPem, { mode: 0o600 });
  fs.writeFileSync(values.cert, cert.pem, { mode: 0o644 });
  out.write(`Your Identity: ${id}\n`);
}

function identityOf(args: readonly string[], out: Out): void {
  const { positionals } = parse(args, {}, true);
  if (positionals.length !== 1)
    throw new UsageError("identity of: expected exactly one API key or certificate file");
  const arg = positionals[0];
  if (arg.startsWith("kes:v1:")) {
    out.write(`${parseApiKey(arg).identity}\n`);
    return;
  }
  let pem: string;
  try {
    pem = fs.readFileSync(arg, "utf8");
  } catch (e) {
    throw new Error(
      `identity of: cannot read "${arg}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  out.write(`${identityOfPem(pem)}\n`);
}
