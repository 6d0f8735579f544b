/**
 * The five checks of one tenant (see report.ts for their order). Each returns what it saw, or throws a
 * DoctorFailure with the reason and the fix. Nothing secret goes into a message: paths, HTTP statuses, public
 * identities and Vault's own error texts only.
 */
import { createHash, randomBytes, X509Certificate } from "node:crypto";
import { s3Request } from "../shared/s3";
import type { KeystoreSpec } from "../constructs/spec";
import { capabilityProbes, compareCapabilities } from "./expectations";
import type { DeployedTenant } from "./deployed-pods";
import { httpRequest, connectTarget, type ConnectTo, type HttpResponse } from "./net";
import type { TenantOutputs } from "./outputs";

/** A failed check: what went wrong and what to do. */
export class DoctorFailure extends Error {
  constructor(
    message: string,
    public readonly fix: string,
  ) {
    super(message);
  }
}

/** Everything a tenant's checks use; filled in as the steps run. */
export interface TenantCheckContext {
  readonly tenant: string;
  readonly spec: KeystoreSpec;
  /** Another tenant's prefix in the same mount, for the denial probe. */
  readonly neighbourPrefix?: string;
  readonly outputs: TenantOutputs;
  readonly deployed: DeployedTenant;
  readonly connectTo: ConnectTo;
  /** Vault token from step 1 (secret). */
  token?: string;
  /**
   * An operator token (VAULT_TOKEN) allowed to update sys/capabilities: asks about the key server's token when
   * that token may not ask itself (the kit's role has no default policy, so sys/capabilities-self is denied).
   */
  readonly operatorToken?: string;
  /** Values to keep out of the output (tokens, data keys) found while checking. */
  readonly secrets: string[];
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const parse = (r: HttpResponse): Json => {
  try {
    return JSON.parse(r.body) as Json;
  } catch {
    return {};
  }
};
const vaultErrors = (r: HttpResponse) => {
  const e = parse(r).errors;
  const text = Array.isArray(e) && e.length > 0 ? e.join("; ") : r.body.slice(0, 120);
  return text
    .replace(/\s+/g, " ")
    .replace(/^\d+ errors? occurred: \* /, "")
    .trim();
};

async function vault(
  ctx: TenantCheckContext,
  method: string,
  apiPath: string,
  opts: { body?: unknown; namespace?: string; token?: string } = {},
): Promise<HttpResponse> {
  return httpRequest(`${ctx.deployed.vault.endpoint.replace(/\/+$/, "")}/v1/${apiPath}`, {
    method,
    headers: {
      ...(opts.namespace ? { "x-vault-namespace": opts.namespace } : {}),
      ...(opts.token ? { "x-vault-token": opts.token } : {}),
      ...(opts.body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    connectTo: ctx.connectTo,
  });
}

/** Step 1: Vault answers, unsealed; the login the key server uses works with the credentials its pod has. */
export async function checkVaultLogin(ctx: TenantCheckContext): Promise<string> {
  const v = ctx.deployed.vault;
  let health: HttpResponse;
  try {
    health = await vault(ctx, "GET", "sys/health");
  } catch (err) {
    throw new DoctorFailure(
      `Vault at ${v.endpoint} is unreachable: ${(err as Error).message}`,
      "start Vault, or check the key server's keystore.vault.endpoint (tenants file vault.endpoint) and the network path to it",
    );
  }
  const h = parse(health);
  if (h.sealed === true || health.status === 503) {
    throw new DoctorFailure(`Vault at ${v.endpoint} is sealed (HTTP ${health.status})`, "unseal Vault");
  }
  if (h.initialized !== true) {
    throw new DoctorFailure(
      `Vault at ${v.endpoint} answered sys/health with HTTP ${health.status}`,
      "check that the endpoint is a Vault or OpenBao server",
    );
  }
  let login: HttpResponse;
  let who: string;
  if (v.approle) {
    const ns = v.approle.namespace ?? v.namespace;
    who = `AppRole ${v.approle.engine} role-id ${v.approle.id}`;
    if (ctx.outputs.roleId !== undefined && ctx.outputs.roleId !== v.approle.id) {
      throw new DoctorFailure(
        `the key server's Secret holds role-id ${v.approle.id}, the deploy reported ${ctx.outputs.roleId}`,
        "redeploy the tenant (npm run rollout -- deploy) so the Secret and the role agree",
      );
    }
    login = await vault(ctx, "POST", `auth/${v.approle.engine}/login`, {
      body: { role_id: v.approle.id, secret_id: v.approle.secret },
      ...(ns ? { namespace: ns } : {}),
    });
    if (login.status !== 200) {
      throw new DoctorFailure(
        `${who} login with the secret-id from pod ${ctx.deployed.keyServerPod}'s Secret refused: HTTP ${login.status} ${vaultErrors(login)}`,
        "the secret-id was revoked or has expired: issue a new one (npm run rollout -- deploy replaces it) and restart the key server pods",
      );
    }
  } else if (v.kubernetes) {
    const ns = v.kubernetes.namespace ?? v.namespace;
    who = `Kubernetes auth ${v.kubernetes.engine} role ${v.kubernetes.role}`;
    login = await vault(ctx, "POST", `auth/${v.kubernetes.engine}/login`, {
      body: { role: v.kubernetes.role, jwt: v.kubernetes.jwt },
      ...(ns ? { namespace: ns } : {}),
    });
    if (login.status !== 200) {
      const errors = vaultErrors(login);
      throw new DoctorFailure(
        `${who} login with pod ${ctx.deployed.keyServerPod}'s projected service-account token refused: HTTP ${login.status} ${errors}`,
        /invalid role name/.test(errors)
          ? `the role ${v.kubernetes.role} is missing on auth/${v.kubernetes.engine}: npm run rollout -- deploy recreates it`
          : "check the Vault role's bound service account and namespace, and that Vault can reach the API server's TokenReview",
      );
    }
  } else {
    throw new DoctorFailure("the key server has no Vault login", "redeploy the tenant");
  }
  const auth = parse(login).auth as Json | undefined;
  if (!auth?.client_token) throw new DoctorFailure(`${who} login returned no token`, "check the auth mount");
  ctx.token = String(auth.client_token);
  ctx.secrets.push(ctx.token, String(auth.accessor ?? ""));
  const policies = ((auth.token_policies ?? auth.policies ?? []) as string[]).join(", ");
  return `Vault ${h.version ?? ""} at ${v.endpoint} unsealed; ${who} ok (policies: ${policies}; ttl ${auth.lease_duration}s)`;
}

/** Step 2: the token's capabilities match the kit's policy: needed paths allowed, the rest denied. */
export async function checkVaultPolicy(ctx: TenantCheckContext): Promise<string> {
  if (ctx.deployed.vault.prefix !== ctx.spec.prefix) {
    throw new DoctorFailure(
      `the key server uses prefix ${ctx.deployed.vault.prefix}, the tenants file says ${ctx.spec.prefix}`,
      "redeploy the tenant so the key server's config matches the tenants file",
    );
  }
  const probes = capabilityProbes(ctx.spec, ctx.neighbourPrefix);
  const home = ctx.spec.effectiveAuthNamespace;
  const paths = probes.map((p) => p.path);
  const nsOpt = home ? { namespace: home } : {};
  let r = await vault(ctx, "POST", "sys/capabilities-self", { body: { paths }, token: ctx.token, ...nsOpt });
  let how = "sys/capabilities-self";
  if (r.status === 403 && ctx.operatorToken) {
    // The key server's token has only the keystore policy: ask about it with the operator's token.
    r = await vault(ctx, "POST", "sys/capabilities", {
      body: { token: ctx.token, paths },
      token: ctx.operatorToken,
      ...nsOpt,
    });
    how = "sys/capabilities (VAULT_TOKEN) for the key server's token";
  }
  if (r.status !== 200) {
    throw new DoctorFailure(
      `${how}: HTTP ${r.status} ${vaultErrors(r)}`,
      how === "sys/capabilities-self"
        ? "the key server's token may not read its own capabilities (its role has no default policy): set VAULT_TOKEN to a token allowed to update sys/capabilities"
        : "VAULT_TOKEN may not update sys/capabilities: use a token with that capability",
    );
  }
  const body = parse(r);
  const answers = (body.data ?? body) as Record<string, string[]>;
  const problems = probes.flatMap((p) => compareCapabilities(p, answers[p.path] ?? []));
  if (problems.length > 0) {
    throw new DoctorFailure(
      `policy ${ctx.spec.policyName} differs from the kit's rules: ${problems.join("; ")}`,
      `restore the policy: npm run rollout -- deploy rewrites ${ctx.spec.policyName} (compare with renderPolicyHcl of kes-vault-kit/spec)`,
    );
  }
  const allowed = probes.filter((p) => p.allowed.length > 0).length;
  return `${how}: ${allowed} needed path(s) allowed, ${probes.length - allowed} denied as expected (${probes
    .filter((p) => p.allowed.length === 0)
    .map((p) => p.path)
    .join(", ")})`;
}

/** The Service DNS names a key server endpoint's certificate must hold. */
export function serviceDnsNames(host: string): string[] {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\..+)?$/.exec(host);
  if (!m) return [host];
  return [...new Set([`${m[1]}.${m[2]}.svc`, host])];
}

/** Step 3: every key server endpoint ready, its certificate valid for the Service names, days to expiry. */
export async function checkKeyServer(ctx: TenantCheckContext): Promise<string> {
  const { minioKes } = ctx.deployed;
  const seen: string[] = [];
  for (const endpoint of ctx.outputs.keyServerEndpoints) {
    const url = new URL(endpoint);
    const target = connectTarget(url, ctx.connectTo);
    const at = `${endpoint}${target.host !== url.hostname ? ` (via ${target.host}:${target.port})` : ""}`;
    let ready: HttpResponse;
    try {
      ready = await httpRequest(`${endpoint}/v1/ready`, { ca: minioKes.ca, connectTo: ctx.connectTo });
    } catch (err) {
      const m = (err as Error).message;
      const tls = /CERT|certificate|altname|self.signed|SSL/i.test(m);
      throw new DoctorFailure(
        `key server ${endpoint} ${tls ? "presents a certificate MinIO's CA does not accept" : "is not reachable"}: ${m}`,
        tls
          ? "reissue the key server certificate from the tenant CA for the Service names (npm run rollout -- deploy) and restart the pods"
          : "check the key server pods are running and ready, and the Service selects them (kubectl -n <namespace> get pods,endpoints)",
      );
    }
    if (ready.status !== 200) {
      throw new DoctorFailure(
        `key server ${endpoint}/v1/ready: HTTP ${ready.status} ${ready.body.slice(0, 120).trim()}`,
        "the key server cannot reach its keystore: check its log and Vault (step 1)",
      );
    }
    const leaf = ready.peerChain?.[0];
    if (!leaf?.raw)
      throw new DoctorFailure(`key server ${endpoint} sent no certificate`, "check its TLS settings");
    const cert = new X509Certificate(leaf.raw);
    const missing = serviceDnsNames(url.hostname).filter((n) => cert.checkHost(n) === undefined);
    if (missing.length > 0) {
      throw new DoctorFailure(
        `key server certificate does not hold the Service name(s) ${missing.join(", ")}`,
        "reissue the certificate with the Service DNS names (npm run rollout -- deploy)",
      );
    }
    const days = Math.floor((Date.parse(cert.validTo) - Date.now()) / 86_400_000);
    const status = await httpRequest(`${endpoint}/v1/status`, {
      ca: minioKes.ca,
      cert: minioKes.cert,
      key: minioKes.key,
      connectTo: ctx.connectTo,
    });
    const s = parse(status);
    const statusText =
      status.status === 200
        ? `status: version ${s.version ?? "?"}, keystore latency ${s.keystore_latency ?? "?"}ms`
        : `status: HTTP ${status.status} for MinIO's identity (step 4 checks it)`;
    seen.push(
      `${at}: ready, ${statusText}, certificate valid for ${serviceDnsNames(url.hostname).join(", ")}, expires in ${days} days`,
    );
  }
  return seen.join("; ");
}

/** The KES identity of a certificate: SHA-256 of its public key (SPKI). */
export function kesIdentity(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

/** Step 4: with MinIO's identity, create, generate and decrypt on a throw-away key; removed where allowed. */
export async function checkKeyRoundTrip(ctx: TenantCheckContext): Promise<string> {
  const { minioKes, keyNamePrefix } = ctx.deployed;
  const endpoint = ctx.outputs.keyServerEndpoints[0];
  const name = `${keyNamePrefix}kvk-doctor-${randomBytes(4).toString("hex")}`;
  const identity = kesIdentity(minioKes.cert);
  const call = async (method: string, route: string, body?: unknown) => {
    const r = await httpRequest(`${endpoint}/v1/key/${route}/${name}`, {
      method,
      ca: minioKes.ca,
      cert: minioKes.cert,
      key: minioKes.key,
      connectTo: ctx.connectTo,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    if (r.status === 401 || r.status === 403) {
      throw new DoctorFailure(
        `the key server refuses MinIO's identity ${identity} on ${route} ${name}: HTTP ${r.status} ${parse(r).message ?? ""}`.trim(),
        "MinIO's client certificate (pod " +
          ctx.deployed.minioPod +
          ") is not the one the key server's policy names: redeploy the tenant so both hold the same certificate, then restart MinIO and the key servers",
      );
    }
    if (r.status !== 200) {
      throw new DoctorFailure(
        `${route} ${name} with MinIO's identity: HTTP ${r.status} ${parse(r).message ?? r.body.slice(0, 100)}`,
        "check the key server's log and its Vault access (steps 1 and 2)",
      );
    }
    return parse(r);
  };
  await call("PUT", "create");
  const context = Buffer.from(`kvk-doctor ${ctx.tenant}`).toString("base64");
  const dek = await call("PUT", "generate", { context });
  ctx.secrets.push(String(dek.plaintext ?? ""));
  const dec = await call("PUT", "decrypt", { ciphertext: dek.ciphertext, context });
  ctx.secrets.push(String(dec.plaintext ?? ""));
  if (typeof dek.plaintext !== "string" || dec.plaintext !== dek.plaintext) {
    throw new DoctorFailure(
      `decrypt of the generated data key on ${name} did not return the same key`,
      "the key server's keystore returns different key material: check for two key servers writing the same prefix",
    );
  }
  // MinIO's policy denies deletes (the kit's minioKeyPolicy); the key server's Vault policy allows them.
  const del = await httpRequest(`${endpoint}/v1/key/delete/${name}`, {
    method: "DELETE",
    ca: minioKes.ca,
    cert: minioKes.cert,
    key: minioKes.key,
    connectTo: ctx.connectTo,
  });
  let cleanup: string;
  if (del.status === 200) {
    cleanup = "deleted through the key server";
  } else {
    const ns = ctx.deployed.vault.namespace;
    const v = await vault(ctx, "DELETE", ctx.spec.keyDeletePath(name), {
      token: ctx.token,
      ...(ns ? { namespace: ns } : {}),
    });
    cleanup =
      v.status === 204 || v.status === 200
        ? `MinIO may not delete keys (HTTP ${del.status}), deleted in Vault with the key server's token`
        : `left in place: MinIO may not delete keys (HTTP ${del.status}) and Vault refused (HTTP ${v.status})`;
  }
  return `identity ${identity.slice(0, 16)}...: create, generate, decrypt of ${name} ok; ${cleanup}`;
}

/** Step 5: MinIO's KMS status (admin API, root credentials) and an SSE-KMS PUT/GET, removed afterwards. */
export async function checkMinioSse(ctx: TenantCheckContext): Promise<string> {
  const endpoint = ctx.outputs.minioEndpoint;
  if (!endpoint) throw new DoctorFailure("the outputs name no MinIO endpoint", "redeploy with MinIO");
  const url = new URL(endpoint);
  if (url.protocol !== "http:") {
    throw new DoctorFailure(
      `MinIO endpoint ${endpoint}: only http is supported by the doctor`,
      "use --connect-to to an http address",
    );
  }
  const t = connectTarget(url, ctx.connectTo);
  const base = `http://${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`;
  const creds = ctx.deployed.minioRoot;
  const send = async (method: string, p: string, opts: Parameters<typeof s3Request>[4] = {}) => {
    try {
      let r = await s3Request(base, creds, method, p, opts);
      // MinIO answers 503 for a moment while its KMS link settles.
      for (let i = 0; i < 10 && r.status === 503; i++) {
        await new Promise((res) => setTimeout(res, 500));
        r = await s3Request(base, creds, method, p, opts);
      }
      return r;
    } catch (err) {
      throw new DoctorFailure(
        `MinIO at ${endpoint} is unreachable: ${(err as Error).message}`,
        "check MinIO's pods and Service",
      );
    }
  };
  const xmlCode = (b: Buffer) =>
    /<Code>([^<]+)<\/Code>.*?<Message>([^<]*)<\/Message>/s.exec(b.toString("utf8"));
  const why = (r: { status: number; body: Buffer }) => {
    const m = xmlCode(r.body);
    if (m) return `HTTP ${r.status} ${m[1]}: ${m[2]}`;
    try {
      const j = JSON.parse(r.body.toString("utf8")) as Json;
      return `HTTP ${r.status} ${j.Code ?? ""} ${j.Message ?? ""}`.trim();
    } catch {
      return `HTTP ${r.status}`;
    }
  };
  const kms = await send("POST", "/minio/admin/v3/kms/status");
  if (kms.status !== 200) {
    throw new DoctorFailure(
      `MinIO's KMS status (admin API): ${why(kms)}`,
      kms.status === 403
        ? "MinIO's root credentials in its Secret do not match the running MinIO: restart it"
        : "check MinIO's KMS settings (MINIO_KMS_KES_*) and its log",
    );
  }
  const st = JSON.parse(kms.body.toString("utf8")) as Json;
  const states = Object.entries((st.endpoints ?? {}) as Record<string, unknown>);
  const offline = states.filter(([, s]) => !/online/i.test(JSON.stringify(s)));
  if (states.length > 0 && offline.length === states.length) {
    throw new DoctorFailure(
      `MinIO's KMS (${st.name ?? "KES"}) has no online endpoint: ${offline.map(([e]) => e).join(", ")} offline`,
      "MinIO cannot reach its key server: check MINIO_KMS_KES_ENDPOINT, the key server Service and the CA MinIO trusts",
    );
  }
  const keyId = ctx.deployed.minioDefaultKey || ctx.outputs.defaultKeyName || "";
  const bucket = `kvk-doctor-${randomBytes(4).toString("hex")}`;
  const object = "probe.txt";
  const body = randomBytes(64);
  const mk = await send("PUT", `/${bucket}`);
  if (mk.status !== 200)
    throw new DoctorFailure(`creating bucket ${bucket}: ${why(mk)}`, "check MinIO's log");
  try {
    const put = await send("PUT", `/${bucket}/${object}`, {
      body,
      headers: {
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": keyId,
      },
    });
    if (put.status !== 200) {
      throw new DoctorFailure(
        `SSE-KMS PUT with key ${keyId}: ${why(put)}`,
        "MinIO cannot get a data key from its key server: check MinIO's client certificate and the key server's policy (step 4)",
      );
    }
    const get = await send("GET", `/${bucket}/${object}`);
    if (get.status !== 200 || !get.body.equals(body)) {
      throw new DoctorFailure(
        `SSE-KMS GET: ${get.status === 200 ? "different bytes back" : why(get)}`,
        "check MinIO's log",
      );
    }
    const sse = get.headers["x-amz-server-side-encryption"];
    if (sse !== "aws:kms")
      throw new DoctorFailure(
        `GET reports encryption ${sse ?? "none"}, not aws:kms`,
        "check MinIO's KMS settings",
      );
    return `KMS ${st.name ?? ""} ${states.length - offline.length}/${states.length} endpoint(s) online, default key ${st["default-key-id"] ?? keyId}; SSE-KMS PUT/GET of ${body.length} bytes with ${keyId} ok, bucket removed`;
  } finally {
    await send("DELETE", `/${bucket}/${object}`).catch(() => undefined);
    await send("DELETE", `/${bucket}`).catch(() => undefined);
  }
}
