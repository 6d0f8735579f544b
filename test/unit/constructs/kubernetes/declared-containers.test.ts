import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
  declaredContainers,
  resolveContainer,
  relocateContainer,
  resolveStateExpression,
  type DeclaredContainer,
} from "../../../../constructs/kubernetes/declared-containers";
import { FIXTURE_BUNDLE, synth, type Json } from "./support";
import { tenant } from "../tenant/support";

const FIXTURE_SHA256 = createHash("sha256").update(fs.readFileSync(FIXTURE_BUNDLE)).digest("hex");
/** What the full synthesis writes once for the app, named from the stack's directory: the fixture bundle. */
const readStackFile = (p: string) => {
  if (p !== `../../assets/KeyServerBundle/${FIXTURE_SHA256}/keyserver.cjs`)
    throw new Error(`unexpected stack file ${p}`);
  return fs.readFileSync(FIXTURE_BUNDLE, "utf8");
};
const declared = (): DeclaredContainer[] =>
  declaredContainers(
    synth((s) => tenant(s, { minio: { replicas: 1 } })),
    { readStackFile },
  );
const keyServer = () => declared().find((c) => c.kind === "deployment") as DeclaredContainer;
const minio = () => declared().find((c) => c.kind === "statefulset") as DeclaredContainer;
const file = (c: DeclaredContainer, p: string) => c.files.find((f) => f.path === p);

describe("declaredContainers", () => {
  test("GIVEN a tenant WHEN read back THEN the key server's command and args are the Deployment's", () => {
    const ks = keyServer();
    expect(ks).toMatchObject({ name: "keyserver", namespace: "payments", replicas: 2, command: ["node"] });
    expect(ks.args).toEqual([
      "/opt/keyserver/keyserver.cjs",
      "server",
      "--config",
      "/etc/keyserver/config/config.yaml",
    ]);
  });

  test("GIVEN a tenant WHEN read back THEN the config file is the literal YAML, with its ${ENV} references unescaped", () => {
    const config = file(keyServer(), "/etc/keyserver/config/config.yaml");
    expect(config?.content).toContain("address: ${KEYSERVER_ADDRESS}");
    expect(parse(config?.content ?? "").keystore.vault.prefix).toBe("payments");
  });

  test("GIVEN a tenant WHEN read back THEN the bundle file is the shipped bundle, read from the app's bundle file", () => {
    expect(file(keyServer(), "/opt/keyserver/keyserver.cjs")?.content).toBe(
      fs.readFileSync(FIXTURE_BUNDLE, "utf8"),
    );
  });

  test("fails when the bundle is a stack file and there is no readStackFile", () => {
    expect(() => declaredContainers(synth((s) => tenant(s, { minio: { replicas: 1 } })))).toThrow(
      `mounts /opt/keyserver/keyserver.cjs from the stack's file ../../assets/KeyServerBundle/${FIXTURE_SHA256}/keyserver.cjs: pass readStackFile`,
    );
  });

  test("GIVEN a tenant WHEN read back THEN Secret-backed env and files are the Terraform expressions the Secret holds", () => {
    const ks = keyServer();
    expect(ks.env.find((e) => e.name === "KEYSERVER_ADDRESS")?.value).toBe("0.0.0.0:7373");
    expect(ks.env.find((e) => e.name === "KEYSERVER_VAULT_SECRET_ID")?.expression).toMatch(
      /^\$\{vault_approle_auth_backend_role_secret_id\.[A-Za-z0-9_]+\.secret_id\}$/,
    );
    expect(file(ks, "/etc/keyserver/tls/tls.key")?.expression).toMatch(
      /^\$\{tls_private_key\.[A-Za-z0-9_]+\.private_key_pem\}$/,
    );
    expect(file(ks, "/etc/keyserver/clients/minio.crt")?.expression).toMatch(
      /^\$\{tls_locally_signed_cert\.[A-Za-z0-9_]+\.cert_pem\}$/,
    );
  });

  test("GIVEN a tenant WHEN read back THEN the key server's readiness probe and writable /tmp are known", () => {
    const ks = keyServer();
    expect(ks.readiness).toEqual({ path: "/v1/ready", port: 7373, scheme: "HTTPS" });
    expect(ks.writableDirs).toEqual(["/tmp"]);
  });

  test("GIVEN a tenant WHEN read back THEN MinIO's env, client files and data directory are the StatefulSet's", () => {
    const m = minio();
    expect(m.command).toEqual(["minio"]);
    expect(m.args.slice(-1)).toEqual(["/data"]);
    expect(m.env.find((e) => e.name === "MINIO_KMS_KES_KEY_NAME")?.value).toBe("payments-default");
    expect(m.env.find((e) => e.name === "MINIO_ROOT_PASSWORD")?.expression).toMatch(/random_password/);
    expect(file(m, "/etc/minio/kes/client.key")?.expression).toMatch(/^\$\{tls_private_key\./);
    expect(m.writableDirs).toEqual(expect.arrayContaining(["/data", "/tmp"]));
  });

  test("fails when a workload mounts a key its Secret does not hold", () => {
    const j = synth((s) => tenant(s)) as Json;
    const secrets = j.resource.kubernetes_secret_v1 as Json;
    const ks = Object.values(secrets).find((x: Json) => x.metadata.name === "keyserver") as Json;
    delete ks.data["tls.key"];
    expect(() => declaredContainers(j)).toThrow(/mounts key "tls.key" that .* does not hold/);
  });
});

describe("resolveStateExpression", () => {
  const state = {
    values: {
      root_module: {
        resources: [
          { address: "tls_private_key.k", values: { private_key_pem: "PEM" } },
          { address: "kubernetes_secret_v1.s", values: { metadata: [{ name: "keyserver" }] } },
        ],
      },
    },
  };

  test("GIVEN a simple reference WHEN resolved against a state THEN the attribute's value is returned", () => {
    expect(resolveStateExpression("${tls_private_key.k.private_key_pem}", state)).toBe("PEM");
  });

  test("GIVEN an indexed reference WHEN resolved THEN list elements are followed", () => {
    expect(resolveStateExpression("${kubernetes_secret_v1.s.metadata[0].name}", state)).toBe("keyserver");
  });

  test("GIVEN literal text WHEN resolved THEN it is returned as is", () => {
    expect(resolveStateExpression("0.0.0.0:7373", state)).toBe("0.0.0.0:7373");
  });

  test("fails when the resource is not in the state", () => {
    expect(() => resolveStateExpression("${tls_private_key.other.private_key_pem}", state)).toThrow(
      "resource tls_private_key.other is not in the state: apply the stack first",
    );
  });

  test("fails when the expression is a function call", () => {
    expect(() => resolveStateExpression("${sha256(tls_private_key.k.private_key_pem)}", state)).toThrow(
      "is not a simple resource reference",
    );
  });
});

describe("relocateContainer", () => {
  test("GIVEN a root WHEN relocated THEN files, args, writable dirs and the config's paths move under it, the bundle stays intact", () => {
    const ks = relocateContainer(keyServer(), "/tmp/run");
    expect(ks.args).toEqual([
      "/tmp/run/opt/keyserver/keyserver.cjs",
      "server",
      "--config",
      "/tmp/run/etc/keyserver/config/config.yaml",
    ]);
    expect(ks.writableDirs).toEqual(["/tmp/run/tmp"]);
    const config = parse(ks.files.find((f) => f.path.endsWith("config.yaml"))?.content ?? "");
    expect(config.tls.key).toBe("/tmp/run/etc/keyserver/tls/tls.key");
    expect(config.policy.minio.identities[0].cert).toBe("/tmp/run/etc/keyserver/clients/minio.crt");
    expect(ks.files.find((f) => f.path.endsWith("keyserver.cjs"))?.content).toBe(
      fs.readFileSync(FIXTURE_BUNDLE, "utf8"),
    );
    expect(ks.files.every((f) => f.path.startsWith(path.join("/tmp/run", "/")))).toBe(true);
  });

  test("GIVEN MinIO WHEN relocated THEN its env file paths move too", () => {
    const m = relocateContainer(minio(), "/r");
    expect(m.env.find((e) => e.name === "MINIO_KMS_KES_CERT_FILE")?.value).toBe(
      "/r/etc/minio/kes/client.crt",
    );
    expect(m.args).toContain("/r/tmp/minio-certs");
    expect(m.args.slice(-1)).toEqual(["/r/data"]);
  });
});

describe("resolveContainer", () => {
  test("GIVEN a state holding every referenced value WHEN resolved THEN env and files are plain values with numeric modes", () => {
    const ks = keyServer();
    const resources = [...ks.env.map((e) => e.expression), ...ks.files.map((f) => f.expression)]
      .filter((x): x is string => x !== undefined)
      .map((x) => /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(x) as RegExpExecArray)
      .map((m) => ({ address: m[1], values: { [m[2]]: `value of ${m[1]}` } }));
    const r = resolveContainer(ks, { values: { root_module: { resources } } });
    expect(r.env.KEYSERVER_ADDRESS).toBe("0.0.0.0:7373");
    expect(r.env.KEYSERVER_VAULT_SECRET_ID).toMatch(/^value of vault_approle_auth_backend_role_secret_id\./);
    expect(r.files.find((f) => f.path.endsWith("tls.key"))).toMatchObject({
      mode: 0o440,
      content: expect.stringMatching(/^value of tls_private_key\./),
    });
  });

  test("fails when a value comes from a Secret outside the stack", () => {
    const j = synth((s) => tenant(s, { keyServer: { tlsSecretName: "ks-tls" } }));
    const ks = declaredContainers(j, { readStackFile }).find(
      (c) => c.kind === "deployment",
    ) as DeclaredContainer;
    expect(() => resolveContainer({ ...ks, env: [] }, {})).toThrow(
      /file \/etc\/keyserver\/tls\/tls.key comes from Secret ks-tls \(key tls.key\), which is not in the stack/,
    );
  });
});
