import type { TerraformStack } from "cdktf";
import { KeyServerTls } from "../../../../constructs/kubernetes/key-server-tls";
import type { IKeyServer } from "../../../../constructs/kubernetes/key-server";
import {
  Minio,
  MinioKesClient,
  minioServerVolumes,
  type MinioProps,
} from "../../../../constructs/kubernetes/minio";
import { only, placeholderTls, resources, synth, type Json } from "./support";
import { Construct } from "constructs";

/** A stand-in key server with two endpoints (MinIO only reads these attributes). */
class TwoEndpoints extends Construct implements IKeyServer {
  public readonly keyServerEndpoints = ["https://ks-a.t.svc:7373", "https://ks-b.t.svc:7373"];
  public readonly keyServerDnsNames = ["ks-a"];
  public readonly keyServerServiceName = "ks-a";
  public readonly keyServerNamespace = "t";
}

function minio(stack: TerraformStack, over: Partial<MinioProps> = {}): Minio {
  return new Minio(stack, "Minio", {
    keyServer: new TwoEndpoints(stack, "Ks"),
    keyServerTls: placeholderTls(),
    kesClient: MinioKesClient.fromCertificate("CLIENT-CERT", "CLIENT-KEY"),
    defaultKeyName: "payments-default",
    namespace: "payments",
    ...over,
  });
}
const statefulSet = (j: Json) => only(j, "kubernetes_stateful_set_v1");
const env = (j: Json): Record<string, Json> =>
  Object.fromEntries(statefulSet(j).spec.template.spec.container[0].env.map((e: Json) => [e.name, e]));

describe("Minio", () => {
  test("GIVEN two key server endpoints WHEN synthesized THEN MINIO_KMS_KES_ENDPOINT lists both", () => {
    expect(env(synth((s) => minio(s))).MINIO_KMS_KES_ENDPOINT.value).toBe(
      "https://ks-a.t.svc:7373,https://ks-b.t.svc:7373",
    );
  });

  test("GIVEN a certificate client WHEN synthesized THEN key name, CA path and client cert/key files are set", () => {
    const e = env(synth((s) => minio(s)));
    expect(e.MINIO_KMS_KES_KEY_NAME.value).toBe("payments-default");
    expect(e.MINIO_KMS_KES_CAPATH.value).toBe("/etc/minio/kes/ca.crt");
    expect(e.MINIO_KMS_KES_CERT_FILE.value).toBe("/etc/minio/kes/client.crt");
    expect(e.MINIO_KMS_KES_KEY_FILE.value).toBe("/etc/minio/kes/client.key");
    expect(e.MINIO_KMS_KES_API_KEY).toBeUndefined();
  });

  test("GIVEN an API key Secret WHEN synthesized THEN the key comes from that Secret and no certificate is set", () => {
    const e = env(
      synth((s) => minio(s, { kesClient: MinioKesClient.fromApiKeySecret("minio-api-key", "key") })),
    );
    expect(e.MINIO_KMS_KES_API_KEY.value_from.secret_key_ref).toEqual({ name: "minio-api-key", key: "key" });
    expect(e.MINIO_KMS_KES_CERT_FILE).toBeUndefined();
  });

  test("GIVEN autoEncryption WHEN synthesized THEN MINIO_KMS_AUTO_ENCRYPTION is on", () => {
    expect(env(synth((s) => minio(s, { autoEncryption: true }))).MINIO_KMS_AUTO_ENCRYPTION.value).toBe("on");
  });

  test("GIVEN defaults WHEN synthesized THEN auto-encryption is not set", () => {
    expect(env(synth((s) => minio(s))).MINIO_KMS_AUTO_ENCRYPTION).toBeUndefined();
  });

  test("GIVEN defaults WHEN synthesized THEN the root credentials come from a Secret with a generated password", () => {
    const j = synth((s) => minio(s));
    const e = env(j);
    expect(e.MINIO_ROOT_PASSWORD.value_from.secret_key_ref.key).toBe("root-password");
    const root = Object.values(resources(j, "kubernetes_secret_v1")).find(
      (x) => x.metadata.name === "minio-root",
    ) as Json;
    expect(root.data["root-password"]).toMatch(/^\$\{random_password\.[A-Za-z0-9_]+\.result\}$/);
  });

  test("GIVEN 4 replicas WHEN synthesized THEN every pod's volume is named through the headless Service with MinIO's ellipsis", () => {
    const c = statefulSet(synth((s) => minio(s))).spec.template.spec.container[0];
    expect(c.command).toEqual(["minio"]);
    expect(c.args.slice(-1)).toEqual(["http://minio-{0...3}.minio-hl.payments.svc.cluster.local:9000/data"]);
  });

  test("GIVEN 1 replica WHEN the server volumes are computed THEN it is the local /data", () => {
    expect(minioServerVolumes("minio", "ns", 1)).toEqual(["/data"]);
  });

  test("GIVEN a storage size WHEN synthesized THEN each pod claims it through a volume claim template", () => {
    const claim = statefulSet(synth((s) => minio(s, { storage: "100Gi", storageClassName: "fast" }))).spec
      .volume_claim_template[0];
    expect(claim.spec).toEqual({
      access_modes: ["ReadWriteOnce"],
      storage_class_name: "fast",
      resources: { requests: { storage: "100Gi" } },
    });
  });

  test("GIVEN defaults WHEN synthesized THEN a headless Service (for the pods) and a Service (for clients) exist", () => {
    const services = Object.values(
      resources(
        synth((s) => minio(s)),
        "kubernetes_service_v1",
      ),
    );
    const headless = services.find((x) => x.metadata.name === "minio-hl") as Json;
    expect(headless.spec.cluster_ip).toBe("None");
    expect(services.find((x) => x.metadata.name === "minio")?.spec.port.map((p: Json) => p.port)).toEqual([
      9000, 9001,
    ]);
  });

  test("GIVEN a CA from an existing Secret WHEN synthesized THEN MinIO mounts that Secret's CA and points CAPATH at it", () => {
    const j = synth((s) => minio(s, { keyServerTls: KeyServerTls.fromSecret("ks-tls") }));
    expect(env(j).MINIO_KMS_KES_CAPATH.value).toBe("/etc/minio/kes-ca/ca.crt");
    const vol = statefulSet(j).spec.template.spec.volume.find((v: Json) => v.name === "kes-ca");
    expect(vol.secret.secret_name).toBe("ks-tls");
  });

  test("GIVEN defaults WHEN synthesized THEN MinIO runs non-root with a read-only root filesystem and a writable /tmp", () => {
    const spec = statefulSet(synth((s) => minio(s))).spec.template.spec;
    expect(spec.container[0].security_context.read_only_root_filesystem).toBe(true);
    expect(spec.container[0].security_context.capabilities).toEqual({ drop: ["ALL"] });
    expect(spec.container[0].args).toContain("/tmp/minio-certs");
    expect(spec.volume.find((v: Json) => v.name === "tmp").empty_dir).toBeDefined();
  });

  test("fails when the default key name ends with a dash", () => {
    expect(() => synth((s) => minio(s, { defaultKeyName: "payments-" }))).toThrow(
      'defaultKeyName "payments-" is not a valid key name',
    );
  });

  test("fails when the storage is not a quantity", () => {
    expect(() => synth((s) => minio(s, { storage: "100 GB" }))).toThrow(
      'storage "100 GB" is not a Kubernetes quantity',
    );
  });

  test("fails when the root password is a literal", () => {
    expect(() => synth((s) => minio(s, { rootPassword: "hunter2hunter2" }))).toThrow(
      "rootPassword is a literal, which would be written into cdk.tf.json",
    );
  });

  test("fails when the API key Secret has no key", () => {
    expect(() => MinioKesClient.fromApiKeySecret("minio-api-key", "")).toThrow(
      'api key secret "minio-api-key/" needs a Secret name and a key',
    );
  });
});
