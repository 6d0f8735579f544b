/**
 * Loads a config file for the server: parse and validate (parse.ts), then read the files it names
 * (server TLS key and certificate, CA, identity certificates) and compute identities from certificates
 * and API keys.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { X509Certificate } from "node:crypto";
import { identityOfApiKey, identityOfPem } from "../auth/identity";
import type { PolicyDefinition } from "../auth/policy-set";
import type { ServerTls } from "../server/server";
import { parseConfig, type IdentitySource, type ServerConfig } from "./parse";

/** A config with everything it names read and resolved. */
export interface LoadedConfig {
  readonly config: ServerConfig;
  /** Admin identity (hex, or the literal text when it disables admin access). */
  readonly admin: string;
  readonly policies: Readonly<Record<string, PolicyDefinition>>;
  readonly tls: ServerTls;
}

function readFile(file: string, field: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(
      `${field}: cannot read ${what} "${file}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/**
 * The identity an IdentitySource names.
 * @throws Error naming `field` when the certificate file cannot be read or parsed, or the API key is
 *   malformed (the key itself is never part of the message).
 */
export function resolveIdentity(src: IdentitySource, field: string): string {
  switch (src.kind) {
    case "hash":
      return src.value;
    case "cert": {
      const pem = readFile(src.path, `${field}.cert`, "certificate").toString("utf8");
      try {
        return identityOfPem(pem);
      } catch (e) {
        throw new Error(
          `${field}.cert: "${src.path}" holds no usable PEM certificate: ${(e as Error).message}`,
        );
      }
    }
    case "apiKey":
      try {
        return identityOfApiKey(src.key);
      } catch (e) {
        throw new Error(`${field}.api_key: ${(e as Error).message}`);
      }
  }
}

function readCas(ca: string): Buffer[] {
  const stat = fs.statSync(ca, { throwIfNoEntry: false });
  if (!stat) throw new Error(`tls.ca: "${ca}" does not exist: name a PEM file or a directory of PEM files`);
  if (!stat.isDirectory()) return [readFile(ca, "tls.ca", "CA file")];
  return fs
    .readdirSync(ca)
    .filter((f) => !f.startsWith("."))
    .map((f) => path.join(ca, f))
    .filter((f) => fs.statSync(f).isFile())
    .map((f) => readFile(f, "tls.ca", "CA file"));
}

/**
 * Checks that a PEM server certificate parses and carries a DNS or IP SAN (as KES requires).
 * @throws Error `tls.cert: ...` saying what is wrong.
 */
export function checkServerCertificate(pem: Buffer | string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (e) {
    throw new Error(`tls.cert: not a PEM certificate: ${(e as Error).message}`);
  }
  if (!cert.subjectAltName || !/(DNS|IP Address):/.test(cert.subjectAltName)) {
    throw new Error(
      "tls.cert: the server certificate has no DNS or IP subject alternative name: add one (e.g. --dns localhost --ip 127.0.0.1)",
    );
  }
}

/**
 * Resolves a parsed config: identities and TLS files.
 * @throws Error naming the field for unreadable files, bad certificates or keys, and policy errors.
 */
export function resolveConfig(config: ServerConfig): LoadedConfig {
  const admin = resolveIdentity(config.admin, "admin.identity");
  const policies: Record<string, PolicyDefinition> = {};
  for (const [name, p] of Object.entries(config.policies)) {
    policies[name] = {
      allow: p.allow,
      deny: p.deny,
      identities: p.identities.map((id, i) => resolveIdentity(id, `policy.${name}.identities[${i}]`)),
    };
  }
  const key = readFile(config.tls.key, "tls.key", "private key");
  const cert = readFile(config.tls.cert, "tls.cert", "certificate");
  checkServerCertificate(cert);
  return {
    config,
    admin,
    policies,
    tls: {
      key,
      cert,
      passphrase: config.tls.password,
      verifyClients: config.tls.auth === "on",
      ca: config.tls.ca ? readCas(config.tls.ca) : undefined,
    },
  };
}

/**
 * Reads, parses, validates and resolves a config file.
 * @throws Error `<file>: <field>: ...` for any problem (see parseConfig and resolveConfig).
 */
export function loadConfigFile(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(
      `config file "${file}" cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    return resolveConfig(parseConfig(text, env));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}
