// The live suite for one K/V version and one isolation mode: two tenants deployed side by side with the real
// provider against OpenBao, then every key server request, every forbidden request, and the path check.
import * as fs from "node:fs";
import { Keystore } from "../../../constructs";
import { keystoreAllows, KeystoreSpec } from "../../../constructs/spec";
import { startOpenBao, type OpenBaoServer } from "../../../scripts/testbed/openbao";
import { keystoreStackSettingsFromEnv } from "../../../stacks/keystore-stack-env";
import { deploy, destroy, filesUnder, type Deployment, type KeystoreJson } from "./deploy";
import {
  forbiddenProbes,
  login,
  loginStatus,
  otherTenantProbes,
  runKeyServerRequests,
  runProbes,
  type Tried,
} from "./key-server-requests";

/** prefix: shared mounts, one prefix per tenant; namespace: one namespace per tenant; namespace-root-auth: one
 * namespace per tenant, logins through one AppRole mount in the root namespace (policies name the child paths). */
export type Isolation = "prefix" | "namespace" | "namespace-root-auth";

function specOf(keystore: KeystoreJson): KeystoreSpec {
  return Keystore.specOf(
    keystoreStackSettingsFromEnv({ KVK_KEYSTORE: JSON.stringify(keystore) }).props.keystore,
  );
}

function show(tried: readonly Tried[]): string {
  return tried
    .map((t) => `${t.label}: ${t.method} ${t.request.namespace ?? ""}:${t.request.path} -> ${t.status}`)
    .join("\n");
}

/**
 * Keystore settings of tenant `name` for a version and isolation mode. The second tenant may delete its transit
 * key, so that the suite can destroy it.
 */
export function tenantKeystore(
  name: string,
  version: 1 | 2,
  isolation: Isolation,
  first: boolean,
): KeystoreJson {
  return { ...tenantSpec(name, version, isolation, first), transitKeyDeletionAllowed: !first };
}

function tenantSpec(name: string, version: 1 | 2, isolation: Isolation, first: boolean): KeystoreJson {
  const transit = { key: `kes-${name}` };
  if (isolation === "namespace") {
    return { prefix: name, kvVersion: version, namespace: `tenant-${name}`, transit };
  }
  if (isolation === "namespace-root-auth") {
    return {
      prefix: name,
      kvVersion: version,
      namespace: `tenant-${name}`,
      authNamespace: "/",
      transit,
      existingAppRoleAuth: !first,
    };
  }
  // Prefix mode: one K/V, one AppRole and one transit mount shared by the tenants; the first tenant mounts them.
  return {
    prefix: name,
    kvVersion: version,
    transit,
    existingKvMount: !first,
    existingAppRoleAuth: !first,
    createTransitMount: first,
  };
}

/**
 * Declares the tests. `viaCdktf`: the first tenant is deployed with `cdktf deploy --skip-provider-lock`.
 */
export function keystoreSuite(version: 1 | 2, isolation: Isolation, viaCdktf: boolean): void {
  const a = tenantKeystore("alpha", version, isolation, true);
  const b = tenantKeystore("bravo", version, isolation, false);
  const specA = specOf(a);
  const specB = specOf(b);
  let bao: OpenBaoServer | undefined;
  let depA: Deployment;
  let depB: Deployment;
  let tokenA: string;
  let tokenB: string;
  /** Every request tried, with the spec of the token that made it. */
  const allTried: { spec: KeystoreSpec; tried: Tried }[] = [];
  const record = (spec: KeystoreSpec, tried: readonly Tried[]) =>
    allTried.push(...tried.map((t) => ({ spec, tried: t })));

  beforeAll(async () => {
    bao = await startOpenBao();
    depA = await deploy(bao, { stackId: `alpha-v${version}-${isolation}`, keystore: a, viaCdktf });
    depB = await deploy(bao, { stackId: `bravo-v${version}-${isolation}`, keystore: b });
    process.stdout.write(
      `[timing] k/v v${version} ${isolation}: deploy alpha ${depA.ms} ms${viaCdktf ? " (cdktf deploy)" : ""}, bravo ${depB.ms} ms\n`,
    );
    tokenA = await login(bao, specA, depA.outputs.role_id, depA.outputs.secret_id);
    tokenB = await login(bao, specB, depB.outputs.role_id, depB.outputs.secret_id);
  });

  afterAll(async () => {
    await bao?.stop();
    for (const d of [depA, depB]) if (d) fs.rmSync(d.workDir, { recursive: true, force: true });
  });

  test("GIVEN each tenant's generated role-id and secret-id WHEN the key server's requests run under its own keystore THEN all succeed", async () => {
    for (const [spec, token] of [
      [specA, tokenA],
      [specB, tokenB],
    ] as const) {
      const tried = await runKeyServerRequests(bao!, spec, token, "minio-default-key");
      record(spec, tried);
      const failed = tried.filter(
        (t) => !(t.status === 200 || t.status === 204 || (t.label === "existence check" && t.status === 404)),
      );
      expect(show(failed)).toBe("");
      expect(tried.find((t) => t.label === "existence check")?.status).toBe(404);
    }
  });

  test("GIVEN tenant alpha's token WHEN it makes the key server's requests on tenant bravo's keystore THEN all are denied (403)", async () => {
    const tried = await runProbes(bao!, tokenA, otherTenantProbes(specB, "stolen"));
    record(specA, tried);
    expect(tried.length).toBeGreaterThanOrEqual(5);
    expect(show(tried.filter((t) => t.status !== 403))).toBe("");
  });

  test("GIVEN tenant bravo's token WHEN it makes the key server's requests on tenant alpha's keystore THEN all are denied (403)", async () => {
    const tried = await runProbes(bao!, tokenB, otherTenantProbes(specA, "stolen"));
    record(specB, tried);
    expect(show(tried.filter((t) => t.status !== 403))).toBe("");
  });

  test("GIVEN tenant alpha's token WHEN it tries the mount root, an overwrite, sys/, a policy write and a secret-id mint THEN all are denied (403)", async () => {
    const create = await runProbes(bao!, tokenA, [
      {
        label: "create a key to overwrite",
        method: "PUT",
        request: { operation: "create", path: specA.keyDataPath("existing"), namespace: specA.namespace },
        body: version === 2 ? { options: { cas: 0 }, data: { existing: "eA==" } } : { existing: "eA==" },
      },
    ]);
    expect(show(create)).toMatch(/-> 20[04]$/);
    const tried = await runProbes(bao!, tokenA, forbiddenProbes(specA, "existing"));
    record(specA, [...create, ...tried]);
    expect(show(tried.filter((t) => t.status !== 403))).toBe("");
  });

  test("GIVEN every request tried above WHEN the pure path check judges it THEN it agrees with OpenBao", () => {
    expect(allTried.length).toBeGreaterThan(30);
    const disagreements = allTried
      .filter(({ spec, tried }) => keystoreAllows(spec, tried.request) !== (tried.status !== 403))
      .map((x) => x.tried);
    expect(show(disagreements)).toBe("");
  });

  test("GIVEN the deployments WHEN cdktf.out is scanned THEN it holds no secret-id, vault token or key material", () => {
    const secrets = [depA.outputs.secret_id, depB.outputs.secret_id, tokenA, tokenB, bao!.rootToken];
    expect(secrets.every((s) => s.length >= 20)).toBe(true);
    const leaks: string[] = [];
    for (const d of [depA, depB]) {
      for (const file of filesUnder(d.outDir)) {
        const text = fs.readFileSync(file, "latin1");
        if (secrets.some((s) => text.includes(s)) || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
          leaks.push(file);
      }
    }
    expect(leaks).toEqual([]);
  });

  test("GIVEN tenant bravo is destroyed WHEN both tenants log in again THEN bravo is refused and alpha still makes every key server request", async () => {
    const started = Date.now();
    await destroy(bao!, depB, b);
    process.stdout.write(`[timing] k/v v${version} ${isolation}: destroy bravo ${Date.now() - started} ms\n`);
    const refused = await loginStatus(bao!, specB, depB.outputs.role_id, depB.outputs.secret_id);
    expect(refused.status).not.toBe(200);
    const token = await login(bao!, specA, depA.outputs.role_id, depA.outputs.secret_id);
    const tried = await runKeyServerRequests(bao!, specA, token, "after-destroy");
    expect(
      show(
        tried.filter(
          (t) =>
            !(t.status === 200 || t.status === 204 || (t.label === "existence check" && t.status === 404)),
        ),
      ),
    ).toBe("");
  });
}
