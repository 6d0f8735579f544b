/**
 * Vault login (AppRole or Kubernetes) and the token's life: renew-self at 80 % of its TTL (up to 3 tries,
 * stopping early on a 4xx), log in again when renewal fails or the token is not renewable, and retry
 * failed logins with capped exponential backoff and jitter. Every timer is unref'd and stopped by stop().
 * Tokens and secret-ids are never logged or put into error messages.
 * @see https://github.com/minio/kes/blob/master/internal/keystore/vault/client.go (RenewToken)
 */
import { promises as fsp } from "node:fs";
import { joinVaultPath } from "./vault-paths";
import { vaultErrorText, type VaultHttp } from "./vault-http";

/** AppRole credentials. */
export interface VaultAppRole {
  /** Mount path of the AppRole auth method. @default "approle" */
  readonly engine?: string;
  /** Namespace to log in to; "/" is the root namespace. @default - the keystore's namespace */
  readonly namespace?: string;
  /** The role-id. */
  readonly id: string;
  /** The secret-id (never logged). */
  readonly secret: string;
}

/** Kubernetes service-account credentials. */
export interface VaultKubernetes {
  /** Mount path of the Kubernetes auth method. @default "kubernetes" */
  readonly engine?: string;
  /** Namespace to log in to; "/" is the root namespace. @default - the keystore's namespace */
  readonly namespace?: string;
  /** The Vault role. */
  readonly role: string;
  /** A service-account JWT, or a file path when it contains "/" (read again at every login). */
  readonly jwt: string;
}

/** A successful login or renewal. */
export interface VaultLease {
  readonly token: string;
  /** Lifetime in ms; 0 = does not expire (no renewal). */
  readonly ttlMs: number;
  readonly renewable: boolean;
}

/** What the token manager needs to know about the keystore. */
export interface VaultAuthOptions {
  readonly http: VaultHttp;
  /** The keystore's namespace. @default - root */
  readonly namespace?: string;
  readonly approle?: VaultAppRole;
  readonly kubernetes?: VaultKubernetes;
  /** True while Vault is known to be sealed: renewal then waits. @default - never sealed */
  readonly sealed?: () => boolean;
  /** Called with a short, secret-free line when renewal or re-login fails. @default - silent */
  readonly onError?: (message: string) => void;
}

/** Renewal tuning (exported for tests). */
export const RENEW_AT = 0.8;
export const RENEW_TRIES = 3;
export const MIN_DELAY_MS = 200;
export const MAX_BACKOFF_MS = 30_000;
export const BASE_BACKOFF_MS = 1_000;
/** A re-login caused by a permission error happens at most this often. */
export const DENIED_RELOGIN_INTERVAL_MS = 1_000;

/** Longest delay a Node timer takes; longer ones fire after 1 ms, which would turn renewal into a busy loop. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** When to renew a token with `ttlMs` to live: at 80 %, at least 200 ms from now, at most ~24.8 days. */
export function renewDelayMs(ttlMs: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(MIN_DELAY_MS, Math.floor(ttlMs * RENEW_AT)));
}

/** Capped exponential backoff with "equal jitter": between half and all of min(cap, base·2^attempt). */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function leaseOf(body: Record<string, unknown> | undefined): VaultLease | undefined {
  const auth = body?.auth as Record<string, unknown> | undefined;
  if (!auth || typeof auth.client_token !== "string" || auth.client_token === "") return undefined;
  const seconds = typeof auth.lease_duration === "number" ? auth.lease_duration : 0;
  return { token: auth.client_token, ttlMs: seconds * 1000, renewable: auth.renewable === true };
}

/** Holds the current token and keeps it alive. */
export class VaultAuth {
  private lease?: VaultLease;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private failures = 0;
  private loggingIn?: Promise<VaultLease>;
  private lastDeniedLoginAt = 0;

  /**
   * @throws Error when neither or both of approle and kubernetes are given (naming the fields).
   */
  constructor(private readonly opts: VaultAuthOptions) {
    const methods = [opts.approle, opts.kubernetes].filter(Boolean).length;
    if (methods !== 1) {
      throw new Error(
        `vault keystore needs exactly one of approle and kubernetes, got ${methods === 0 ? "neither" : "both"}: set keystore.vault.approle (id, secret) or keystore.vault.kubernetes (role, jwt)`,
      );
    }
  }

  /** The current token (never log it). */
  get token(): string {
    if (!this.lease) throw new Error("vault: not logged in");
    return this.lease.token;
  }

  /** The namespace a login (and the token's own endpoints) use: the auth override, "/" meaning root. */
  private get loginNamespace(): string | undefined {
    const override = (this.opts.approle ?? this.opts.kubernetes)?.namespace;
    if (override === "/") return undefined;
    return override || this.opts.namespace || undefined;
  }

  /**
   * Logs in once (the first login at connect).
   * @throws Error `vault: login at "<path>" failed: <status> <vault errors>`, or a VaultConnectionError.
   */
  async start(): Promise<void> {
    this.install(await this.login());
  }

  private async login(): Promise<VaultLease> {
    this.loggingIn ??= (async () => {
      try {
        let apiPath: string;
        let body: Record<string, string>;
        if (this.opts.approle) {
          apiPath = joinVaultPath("auth", this.opts.approle.engine || "approle", "login");
          body = { role_id: this.opts.approle.id, secret_id: this.opts.approle.secret };
        } else {
          const k8s = this.opts.kubernetes!;
          apiPath = joinVaultPath("auth", k8s.engine || "kubernetes", "login");
          let jwt = k8s.jwt;
          if (jwt.includes("/")) {
            try {
              jwt = (await fsp.readFile(jwt, "utf8")).trim();
            } catch (err) {
              throw new Error(
                `vault: kubernetes jwt file "${k8s.jwt}" cannot be read: ${(err as Error).message}`,
              );
            }
          }
          body = { role: k8s.role, jwt };
        }
        const reply = await this.opts.http.request("PUT", apiPath, { namespace: this.loginNamespace, body });
        const lease = reply.status === 200 ? leaseOf(reply.body) : undefined;
        if (!lease) {
          const ns = this.loginNamespace ? ` in namespace "${this.loginNamespace}"` : "";
          throw new Error(
            `vault: login at "${apiPath}"${ns} failed: ${reply.status} ${vaultErrorText(reply)}`,
          );
        }
        return lease;
      } finally {
        this.loggingIn = undefined;
      }
    })();
    return this.loggingIn;
  }

  private install(lease: VaultLease): void {
    this.lease = lease;
    this.failures = 0;
    if (lease.ttlMs > 0) this.schedule(renewDelayMs(lease.ttlMs));
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renewOrLogin(), Math.min(ms, MAX_TIMER_MS));
    this.timer.unref();
  }

  private async renewOrLogin(): Promise<void> {
    if (this.stopped) return;
    if (this.opts.sealed?.()) return this.schedule(1_000); // wait until unsealed
    const previous = this.lease;
    if (previous?.renewable) {
      const renewed = await this.renewSelf();
      if (this.stopped) return;
      // A renewal that no longer extends the token (its max TTL is near) does not count: log in again.
      if (renewed && renewed.ttlMs >= previous.ttlMs / 2) return this.install(renewed);
    }
    try {
      const lease = await this.login();
      if (this.stopped) return;
      this.install(lease);
    } catch (err) {
      if (this.stopped) return;
      this.opts.onError?.(`vault: re-login failed (attempt ${this.failures + 1}): ${(err as Error).message}`);
      this.schedule(backoffMs(this.failures++));
    }
  }

  private async renewSelf(): Promise<VaultLease | undefined> {
    for (let attempt = 0; attempt < RENEW_TRIES && !this.stopped; attempt++) {
      try {
        const reply = await this.opts.http.request("PUT", "auth/token/renew-self", {
          token: this.token,
          namespace: this.loginNamespace,
          body: {},
        });
        const lease = reply.status === 200 ? leaseOf(reply.body) : undefined;
        if (lease) return lease;
        this.opts.onError?.(`vault: token renewal failed: ${reply.status} ${vaultErrorText(reply)}`);
        if (reply.status >= 400 && reply.status < 500) return undefined; // revoked or expired: log in again
      } catch (err) {
        this.opts.onError?.(`vault: token renewal failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, Math.min(backoffMs(attempt), 2_000)).unref());
    }
    return undefined;
  }

  /**
   * Called when Vault denied a request made with `usedToken` (403). When the token itself is no longer
   * valid (revoked or expired: lookup-self is denied too), logs in again at once instead of waiting for
   * the renewal timer; a policy denial (token still valid) changes nothing. Denial-triggered logins
   * happen at most once a second, so denials cannot cause a login storm.
   * Returns true when the caller should retry with the current token.
   * Never throws: a failed login is reported through onError and leaves the renewal loop to retry.
   */
  async refreshAfterDenied(usedToken: string): Promise<boolean> {
    if (this.stopped) return false;
    if (this.lease && this.lease.token !== usedToken) return true;
    try {
      const lookup = await this.opts.http.request("GET", "auth/token/lookup-self", {
        token: usedToken,
        namespace: this.loginNamespace,
      });
      if (lookup.status === 200) return false; // the token is fine: a policy denial
    } catch {
      return false; // Vault unreachable: nothing a login could fix
    }
    if (this.lease && this.lease.token !== usedToken) return true;
    if (!this.loggingIn && Date.now() - this.lastDeniedLoginAt < DENIED_RELOGIN_INTERVAL_MS) return false;
    this.lastDeniedLoginAt = Date.now();
    try {
      const lease = await this.login();
      if (!this.stopped) this.install(lease);
      return true;
    } catch (err) {
      this.opts.onError?.(`vault: re-login after a permission error failed: ${(err as Error).message}`);
      this.schedule(backoffMs(this.failures++));
      return false;
    }
  }

  /** Stops renewal. Idempotent. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
