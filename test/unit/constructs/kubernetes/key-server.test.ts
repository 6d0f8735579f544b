import { Duration } from "../../../../constructs/duration";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import {
  CONFIG_CHECKSUM_ANNOTATION,
  KeyServer,
  SECRET_CHECKSUM_ANNOTATION,
  type KeyServerProps,
} from "../../../../constructs/kubernetes/key-server";
import { minioKeyPolicy } from "../../../../constructs/kubernetes/minio-key-policy";
import { KeyServerTls } from "../../../../constructs/kubernetes/key-server-tls";
import { RuntimeSource } from "../../../../constructs/kubernetes/runtime-source";
import { KeystoreLogin } from "../../../../constructs/vault/keystore-login";
import {
  FIXTURE_BUNDLE,
  approleKeystore,
  fixtureRuntime,
  only,
  placeholderTls,
  resources,
  synth,
  type Json,
} from "./support";

const client = { policyName: "minio", certPem: "MINIO-CERT", patterns: minioKeyPolicy("payments-") };
function keyServer(stack: TerraformStack, over: Partial<KeyServerProps> = {}): KeyServer {
  return new KeyServer(stack, "KeyServer", {
    vaultEndpoint: "https://vault.vault.svc:8200",
    tls: placeholderTls(),
    clients: [client],
    runtime: fixtureRuntime(),
    namespace: "payments",
    ...over,
    keystore: over.keystore ?? approleKeystore(stack),
  });
}
const deployment = (j: Json) => only(j, "kubernetes_deployment_v1");
const container = (j: Json) => deployment(j).spec.template.spec.container[0];

describe("KeyServer", () => {
  test("GIVEN defaults WHEN synthesized THEN it defines service account, Secret, ConfigMap, Deployment, Service and PDB, no NetworkPolicy", () => {
    const j = synth((s) => keyServer(s));
    for (const type of [
      "kubernetes_service_account_v1",
      "kubernetes_secret_v1",
      "kubernetes_config_map_v1",
      "kubernetes_deployment_v1",
      "kubernetes_service_v1",
      "kubernetes_pod_disruption_budget_v1",
    ]) {
      expect(Object.keys(resources(j, type))).toHaveLength(1);
    }
    expect(resources(j, "kubernetes_network_policy_v1")).toEqual({});
  });

  test("GIVEN defaults WHEN synthesized THEN the Deployment runs 2 replicas of the bundle with the official node image", () => {
    const j = synth((s) => keyServer(s));
    expect(deployment(j).spec.replicas).toBe("2");
    expect(container(j)).toMatchObject({
      image: "node:22-bookworm-slim",
      command: ["node"],
      args: ["/opt/keyserver/keyserver.cjs", "server", "--config", "/etc/keyserver/config/config.yaml"],
    });
  });

  test("GIVEN defaults WHEN synthesized THEN the container is non-root, read-only, without capabilities or privilege escalation", () => {
    const sc = container(synth((s) => keyServer(s))).security_context;
    expect(sc).toEqual({
      allow_privilege_escalation: false,
      capabilities: { drop: ["ALL"] },
      privileged: false,
      read_only_root_filesystem: true,
      run_as_non_root: true,
      run_as_user: "1000",
      seccomp_profile: { type: "RuntimeDefault" },
    });
  });

  test("GIVEN allowMemoryLock WHEN synthesized THEN IPC_LOCK is added back and nothing else", () => {
    const sc = container(synth((s) => keyServer(s, { allowMemoryLock: true }))).security_context;
    expect(sc.capabilities).toEqual({ drop: ["ALL"], add: ["IPC_LOCK"] });
  });

  test("GIVEN defaults WHEN synthesized THEN readiness and liveness probe /v1/ready over HTTPS on 7373", () => {
    const c = container(synth((s) => keyServer(s)));
    for (const probe of [c.readiness_probe, c.liveness_probe]) {
      expect(probe.http_get).toEqual({ path: "/v1/ready", port: "7373", scheme: "HTTPS" });
    }
  });

  test("GIVEN defaults WHEN synthesized THEN requests and limits are set", () => {
    expect(container(synth((s) => keyServer(s))).resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "1", memory: "256Mi" },
    });
  });

  test("GIVEN defaults WHEN synthesized THEN pods spread over hosts and zones", () => {
    const spread = deployment(synth((s) => keyServer(s))).spec.template.spec.topology_spread_constraint;
    expect(spread.map((t: Json) => t.topology_key)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ]);
  });

  test("GIVEN AppRole login WHEN synthesized THEN role-id and secret-id reach the pod as env from the Secret, and the Secret holds Vault tokens", () => {
    const j = synth((s) => keyServer(s));
    const env = container(j).env;
    expect(env.find((e: Json) => e.name === "KEYSERVER_VAULT_SECRET_ID").value_from.secret_key_ref.key).toBe(
      "vault-secret-id",
    );
    const data = only(j, "kubernetes_secret_v1").data;
    expect(data["vault-secret-id"]).toMatch(
      /^\$\{vault_approle_auth_backend_role_secret_id\.[A-Za-z0-9_]+\.secret_id\}$/,
    );
    expect(data["vault-role-id"]).toMatch(/^\$\{vault_approle_auth_backend_role\.[A-Za-z0-9_]+\.role_id\}$/);
  });

  test("GIVEN AppRole login WHEN synthesized THEN no service account token is mounted", () => {
    expect(deployment(synth((s) => keyServer(s))).spec.template.spec.automount_service_account_token).toBe(
      false,
    );
  });

  test("GIVEN Kubernetes login WHEN synthesized THEN a projected token for Vault's audience is mounted and no role-id or secret-id is delivered", () => {
    const j = synth((s) =>
      keyServer(s, {
        keystore: approleKeystore(s, {
          login: KeystoreLogin.kubernetes({
            serviceAccountNames: ["keyserver"],
            serviceAccountNamespaces: ["payments"],
            audience: "vault",
          }),
        }),
      }),
    );
    const pod = deployment(j).spec.template.spec;
    expect(pod.automount_service_account_token).toBe(false);
    expect(pod.volume.find((v: Json) => v.name === "vault-token").projected).toEqual([
      {
        default_mode: "0440",
        sources: [{ service_account_token: { path: "token", expiration_seconds: 600, audience: "vault" } }],
      },
    ]);
    expect(pod.container[0].volume_mount).toContainEqual({
      name: "vault-token",
      mount_path: "/var/run/secrets/vault",
      read_only: true,
    });
    expect(Object.keys(only(j, "kubernetes_secret_v1").data)).not.toContain("vault-secret-id");
    expect(JSON.stringify(j)).not.toContain("vault-secret-id");
  });

  test("fails when the projected token would live shorter than Kubernetes allows", () => {
    expect(() => synth((s) => keyServer(s, { serviceAccountTokenLifetime: Duration.minutes(5) }))).toThrow(
      "serviceAccountTokenLifetime 5m is shorter than 600 s, the Kubernetes minimum: use e.g. Duration.hours(1)",
    );
  });

  test("GIVEN the fixture bundle WHEN synthesized THEN the config checksum is the sha256 of the config and the bundle's sha256", () => {
    let ks: KeyServer | undefined;
    const j = synth((s) => (ks = keyServer(s)));
    const bundleSha256 = createHash("sha256").update(fs.readFileSync(FIXTURE_BUNDLE, "utf8")).digest("hex");
    const expected = createHash("sha256")
      .update(ks!.configYaml)
      .update("\0")
      .update(bundleSha256)
      .update("\0")
      .digest("hex");
    expect(deployment(j).spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION]).toBe(expected);
  });

  test("GIVEN a different bundle WHEN synthesized THEN the checksum changes, so the pods roll", () => {
    const a = deployment(synth((s) => keyServer(s))).spec.template.metadata.annotations[
      CONFIG_CHECKSUM_ANNOTATION
    ];
    const b = deployment(synth((s) => keyServer(s, { runtime: RuntimeSource.fromBundle(__filename) }))).spec
      .template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    expect(b).not.toBe(a);
  });

  test("GIVEN a copy of the bundle and a copy with one byte changed WHEN synthesized THEN the checksum follows the content, not the path", () => {
    const annotation = (bundlePath: string): string =>
      deployment(synth((s) => keyServer(s, { runtime: RuntimeSource.fromBundle(bundlePath) }))).spec.template
        .metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-bundle-"));
    try {
      const content = fs.readFileSync(FIXTURE_BUNDLE, "utf8");
      fs.writeFileSync(path.join(dir, "same.cjs"), content);
      fs.writeFileSync(
        path.join(dir, "changed.cjs"),
        `${content.slice(0, -1)}${content.endsWith(";") ? " " : ";"}`,
      );
      const original = annotation(FIXTURE_BUNDLE);
      expect(annotation(path.join(dir, "same.cjs"))).toBe(original);
      expect(annotation(path.join(dir, "changed.cjs"))).not.toBe(original);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("GIVEN the Secret WHEN synthesized THEN its checksum annotation is a non-sensitive hash Terraform computes over its data", () => {
    const ann = deployment(synth((s) => keyServer(s))).spec.template.metadata.annotations[
      SECRET_CHECKSUM_ANNOTATION
    ];
    expect(ann).toMatch(
      /^\$\{nonsensitive\(sha256\(jsonencode\(kubernetes_secret_v1\.[A-Za-z0-9_]+\.data\)\)\)\}$/,
    );
  });

  test("GIVEN the config WHEN put in the ConfigMap THEN its ${ENV} references are escaped from Terraform", () => {
    const data = only(
      synth((s) => keyServer(s)),
      "kubernetes_config_map_v1",
    ).data;
    expect(data["config.yaml"]).toContain("address: $${KEYSERVER_ADDRESS}");
  });

  test("GIVEN a bundle WHEN put in the ConfigMap THEN Terraform reads it from the app's bundle file, marked sensitive", () => {
    const sha = createHash("sha256").update(fs.readFileSync(FIXTURE_BUNDLE)).digest("hex");
    const data = only(
      synth((s) => keyServer(s)),
      "kubernetes_config_map_v1",
    ).data;
    expect(data["keyserver.cjs"]).toBe(
      `\${sensitive(file("../../assets/KeyServerBundle/${sha}/keyserver.cjs"))}`,
    );
  });

  test("GIVEN two stacks of two key servers WHEN fully synthesized THEN the output holds the bundle once, outside the stack folders", () => {
    const app = Testing.app();
    const stacks = ["one", "two"].map((id) => {
      const stack = new TerraformStack(app, id);
      new VaultProvider(stack, "vault", {});
      new KubernetesProvider(stack, "kubernetes", {});
      const keystore = approleKeystore(stack, { prefix: id });
      keyServer(stack, { keystore });
      new KeyServer(stack, "Second", {
        vaultEndpoint: "https://vault.vault.svc:8200",
        tls: placeholderTls(),
        clients: [client],
        runtime: fixtureRuntime(),
        namespace: "other",
        keystore,
      });
      return stack;
    });
    app.synth();
    const dir = app.outdir;
    const bundle = fs.readFileSync(FIXTURE_BUNDLE, "utf8");
    const sha = createHash("sha256").update(bundle).digest("hex");
    expect(fs.readdirSync(path.join(dir, "assets", "KeyServerBundle"))).toEqual([sha]);
    expect(fs.readFileSync(path.join(dir, "assets", "KeyServerBundle", sha, "keyserver.cjs"), "utf8")).toBe(
      bundle,
    );
    for (const stack of stacks) {
      const stackDir = path.join(dir, "stacks", stack.node.id);
      expect(fs.readdirSync(stackDir)).not.toContain("assets");
      const json = fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8");
      expect(json).not.toContain("keyserver fixture");
      const maps = Object.values(JSON.parse(json).resource.kubernetes_config_map_v1 as Record<string, Json>);
      const refs = maps.map((m) => m.data["keyserver.cjs"]);
      expect(refs).toEqual([
        `\${sensitive(file("../../assets/KeyServerBundle/${sha}/keyserver.cjs"))}`,
        `\${sensitive(file("../../assets/KeyServerBundle/${sha}/keyserver.cjs"))}`,
      ]);
      // The path Terraform resolves from the stack's working directory is the file written.
      const file = /file\("([^"]+)"\)/.exec(refs[0])?.[1] ?? "";
      expect(fs.readFileSync(path.join(stackDir, file), "utf8")).toBe(bundle);
    }
  });

  test("GIVEN an older bundle in the output folder WHEN synthesized again THEN only the current bundle is kept", () => {
    const stack = new TerraformStack(Testing.app(), "again");
    new VaultProvider(stack, "vault", {});
    new KubernetesProvider(stack, "kubernetes", {});
    keyServer(stack, { keystore: approleKeystore(stack) });
    const old = path.join(App.of(stack).outdir, "assets", "KeyServerBundle", "0".repeat(64));
    fs.mkdirSync(old, { recursive: true });
    fs.writeFileSync(path.join(old, "keyserver.cjs"), "old");
    App.of(stack).synth();
    const sha = createHash("sha256").update(fs.readFileSync(FIXTURE_BUNDLE)).digest("hex");
    expect(fs.readdirSync(path.join(App.of(stack).outdir, "assets", "KeyServerBundle"))).toEqual([sha]);
  });

  test("GIVEN an image source WHEN synthesized THEN the ConfigMap carries only the config and the image runs", () => {
    const j = synth((s) => keyServer(s, { runtime: RuntimeSource.fromImage("registry.example.com/ks:1") }));
    expect(Object.keys(only(j, "kubernetes_config_map_v1").data)).toEqual(["config.yaml"]);
    expect(container(j).image).toBe("registry.example.com/ks:1");
    expect(container(j).args).toEqual([
      "/app/keyserver.cjs",
      "server",
      "--config",
      "/etc/keyserver/config/config.yaml",
    ]);
  });

  test("GIVEN a TLS Secret from cert-manager WHEN synthesized THEN the tls volume mounts it and the kit's Secret holds no TLS", () => {
    const j = synth((s) => keyServer(s, { tls: KeyServerTls.fromSecret("keyserver-tls") }));
    const tlsVolume = deployment(j).spec.template.spec.volume.find((v: Json) => v.name === "tls");
    expect(tlsVolume.secret.secret_name).toBe("keyserver-tls");
    expect(Object.keys(only(j, "kubernetes_secret_v1").data)).not.toContain("tls.key");
  });

  test("GIVEN a network policy WHEN synthesized THEN only the client pods and the given CIDRs reach 7373", () => {
    const j = synth((s) =>
      keyServer(s, {
        networkPolicy: {
          clientPodLabels: { "app.kubernetes.io/name": "minio" },
          probeCidrs: ["10.0.0.0/16"],
        },
      }),
    );
    const spec = only(j, "kubernetes_network_policy_v1").spec;
    expect(spec.policy_types).toEqual(["Ingress"]);
    expect(spec.ingress).toEqual([
      {
        ports: [{ port: "7373", protocol: "TCP" }],
        from: [
          { pod_selector: { match_labels: { "app.kubernetes.io/name": "minio" } } },
          { ip_block: { cidr: "10.0.0.0/16" } },
        ],
      },
    ]);
  });

  test("GIVEN a namespace WHEN synthesized THEN the endpoint is the Service's cluster DNS name on 7373", () => {
    let ks: KeyServer | undefined;
    synth((s) => (ks = keyServer(s)));
    expect(ks!.keyServerEndpoints).toEqual(["https://keyserver.payments.svc.cluster.local:7373"]);
  });

  test("GIVEN the construct WHEN its tree is rendered THEN the child ids are the stable public ones", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const ks = keyServer(stack);
    expect(ks.node.children.map((c) => c.node.id).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "Pdb",
      "Secret",
      "Service",
      "ServiceAccount",
    ]);
  });

  test("fails when the keystore's secret-id is response-wrapped", () => {
    expect(() =>
      synth((s) =>
        keyServer(s, {
          keystore: approleKeystore(s, {
            login: KeystoreLogin.appRole({ responseWrappingTtl: Duration.seconds(60) }),
          }),
        }),
      ),
    ).toThrow(
      "keystore's secret-id is response-wrapped, but the key server logs in with the secret-id itself",
    );
  });

  test("fails at synth when there is no client", () => {
    const stack = new TerraformStack(Testing.app(), "none");
    new VaultProvider(stack, "vault", {});
    new KubernetesProvider(stack, "kubernetes", {});
    keyServer(stack, { clients: [] });
    expect(() => Testing.synth(stack, true)).toThrow(
      "clients [] is empty, so no one could use the key server: pass MinIO's certificate with minioKeyPolicy(<prefix>), or call addClient",
    );
  });

  test("GIVEN a key server without clients WHEN a client is added after construction THEN its certificate, file and policy are in the Secret, the pod and the config", () => {
    let ks: KeyServer | undefined;
    const j = synth((s) => {
      ks = keyServer(s, { clients: [] });
      ks.addClient({ policyName: "backup", certPem: "BACKUP-CERT", patterns: minioKeyPolicy("backup-") });
    });
    expect(only(j, "kubernetes_secret_v1").data["backup.crt"]).toBe("BACKUP-CERT");
    const clients = deployment(j).spec.template.spec.volume.find((v: Json) => v.name === "clients");
    expect(clients.secret.items).toEqual([{ key: "backup.crt", path: "backup.crt" }]);
    const config = only(j, "kubernetes_config_map_v1").data["config.yaml"];
    expect(config).toContain("- cert: /etc/keyserver/clients/backup.crt");
    expect(config.replaceAll("$${", "${")).toBe(ks?.configYaml); // escaped for Terraform in the JSON
    expect(deployment(j).spec.template.metadata.annotations["kes-vault-kit/checksum-config"]).toBe(
      ks?.configChecksum,
    );
  });

  test("GIVEN the config read WHEN a client is added THEN the config and its checksum are rendered anew", () => {
    let before: [string, string] = ["", ""];
    let ks: KeyServer | undefined;
    synth((s) => {
      ks = keyServer(s);
      before = [ks.configYaml, ks.configChecksum];
      expect([ks.configYaml, ks.configChecksum]).toEqual(before); // the same while the clients are
      ks.addClient({ policyName: "backup", certPem: "BACKUP-CERT", patterns: minioKeyPolicy("backup-") });
    });
    expect(ks?.configYaml).toContain("- cert: /etc/keyserver/clients/backup.crt");
    expect(before[0]).not.toContain("backup.crt");
    expect(ks?.configChecksum).not.toBe(before[1]);
  });

  test("GIVEN two clients WHEN synthesized THEN each certificate is named after its policy", () => {
    const j = synth((s) =>
      keyServer(s).addClient({
        policyName: "backup",
        certPem: "BACKUP-CERT",
        patterns: minioKeyPolicy("b-"),
      }),
    );
    expect(Object.keys(only(j, "kubernetes_secret_v1").data).sort()).toEqual([
      "backup.crt",
      "ca.crt",
      "minio.crt",
      "tls.crt",
      "tls.key",
      "vault-role-id",
      "vault-secret-id",
    ]);
  });

  test("fails when a client's policy name is used twice", () => {
    expect(() => synth((s) => keyServer(s).addClient(client))).toThrow(
      'client policyName "minio" is used twice on key server stack/KeyServer: give each client a policy name of its own, e.g. "minio-2"',
    );
  });

  test("fails when a client's policy name is not a policy name", () => {
    expect(() => synth((s) => keyServer(s).addClient({ ...client, policyName: "mi/nio" }))).toThrow(
      'clients policyName "mi/nio" must be 1 to 80 characters of [0-9A-Za-z_-]: e.g. "minio"',
    );
  });

  test("fails when the Vault endpoint has a path", () => {
    expect(() => synth((s) => keyServer(s, { vaultEndpoint: "https://vault:8200/v1" }))).toThrow(
      'vaultEndpoint "https://vault:8200/v1" must be an http(s) URL without a path',
    );
  });

  test("fails when the name is not a DNS label", () => {
    expect(() => synth((s) => keyServer(s, { name: "Key_Server" }))).toThrow(
      'name "Key_Server" must be a DNS label of at most 52 characters',
    );
  });

  test("fails when replicas is 0", () => {
    expect(() => synth((s) => keyServer(s, { replicas: 0 }))).toThrow(
      "replicas 0 must be a whole number from 1 to 1000",
    );
  });

  test("fails when a probe CIDR is malformed", () => {
    expect(() =>
      synth((s) => keyServer(s, { networkPolicy: { clientPodLabels: {}, probeCidrs: ["10.0.0.0"] } })),
    ).toThrow('networkPolicy.probeCidrs entry "10.0.0.0" is not a CIDR block');
  });
});
