// Merging what chunks of a tenants file synthesized (stacks/chunk-merge.ts): pure JSON.
import { mergeManifests, mergeStackChunk, type CdktfManifest } from "../../../stacks/chunk-merge";

const stackChunk = (tenant: string, extra: Record<string, unknown> = {}) => ({
  "//": {
    metadata: { stackName: "tenants" },
    outputs: { tenants: { [tenant]: { key_path: `${tenant}_key_path` } } },
  },
  provider: { vault: [{ address: "https://vault:8200" }] },
  resource: {
    vault_mount: { SharedKvMount: { path: "kv", type: "kv" } },
    vault_policy: { [`${tenant}_Policy`]: { name: `${tenant}-keystore`, policy: "path ..." } },
  },
  output: { [`${tenant}_key_path`]: { value: `kv/${tenant}/` } },
  ...extra,
});

describe("mergeStackChunk", () => {
  test("GIVEN two chunks of one stack WHEN merged THEN each tenant's keys are there once and the shared ones once", () => {
    const merged = mergeStackChunk(stackChunk("a"), stackChunk("b"));
    expect(merged).toEqual({
      "//": {
        metadata: { stackName: "tenants" },
        outputs: { tenants: { a: { key_path: "a_key_path" }, b: { key_path: "b_key_path" } } },
      },
      provider: { vault: [{ address: "https://vault:8200" }] },
      resource: {
        vault_mount: { SharedKvMount: { path: "kv", type: "kv" } },
        vault_policy: {
          a_Policy: { name: "a-keystore", policy: "path ..." },
          b_Policy: { name: "b-keystore", policy: "path ..." },
        },
      },
      output: { a_key_path: { value: "kv/a/" }, b_key_path: { value: "kv/b/" } },
    });
  });

  test("GIVEN a provider only the second chunk needs WHEN merged THEN the stack has it", () => {
    const merged = mergeStackChunk(
      stackChunk("a"),
      stackChunk("b", { provider: { vault: [{ address: "https://vault:8200" }], time: [{}] } }),
    );
    expect(Object.keys(merged.provider as object).sort()).toEqual(["time", "vault"]);
  });

  test("fails when chunks hold different values at one path, naming it", () => {
    const b = stackChunk("b");
    (b.resource.vault_mount.SharedKvMount as { path: string }).path = "kv2";
    expect(() => mergeStackChunk(stackChunk("a"), b)).toThrow(
      /chunks of the tenants file disagree at \$\.resource\.vault_mount\.SharedKvMount\.path: "kv" vs "kv2".*KVK_SYNTH_CHUNK=0/,
    );
  });

  test("fails when one chunk has an array where another has a different one", () => {
    expect(() =>
      mergeStackChunk(
        stackChunk("a"),
        stackChunk("b", { provider: { vault: [{ address: "https://other:8200" }] } }),
      ),
    ).toThrow(/disagree at \$\.provider\.vault:/);
  });
});

const manifest = (stacks: Record<string, { deps?: string[]; annotations?: unknown[] }>, version = "0.21.0") =>
  ({
    version,
    stacks: Object.fromEntries(
      Object.entries(stacks).map(([name, s]) => [
        name,
        {
          name,
          constructPath: name,
          dependencies: s.deps ?? [],
          annotations: s.annotations ?? [],
          synthesizedStackPath: `stacks/${name}/cdk.tf.json`,
          workingDirectory: `stacks/${name}`,
        },
      ]),
    ),
  }) as CdktfManifest;

describe("mergeManifests", () => {
  test("GIVEN chunks of a stack per tenant WHEN merged THEN every stack once, the shared one as each chunk has it", () => {
    const merged = mergeManifests([
      manifest({ "tenant-shared": {}, "tenant-a": { deps: ["tenant-shared"] } }),
      manifest({ "tenant-shared": {}, "tenant-b": { deps: ["tenant-shared"] } }),
    ]);
    expect(Object.keys(merged.stacks).sort()).toEqual(["tenant-a", "tenant-b", "tenant-shared"]);
    expect(merged.stacks["tenant-b"]).toMatchObject({ dependencies: ["tenant-shared"] });
    expect(merged.version).toBe("0.21.0");
  });

  test("GIVEN one stack's annotations in each chunk WHEN merged THEN the stack's own once, then each chunk's tenants' in order", () => {
    const own = { constructPath: "tenants", level: "@cdktf/warn", message: "stack" };
    const a = { constructPath: "tenants/a", level: "@cdktf/warn", message: "a" };
    const b = { constructPath: "tenants/b", level: "@cdktf/warn", message: "b" };
    const merged = mergeManifests([
      manifest({ tenants: { annotations: [own, a] } }),
      manifest({ tenants: { annotations: [own, b] } }),
    ]);
    expect(merged.stacks.tenants.annotations).toEqual([own, a, b]);
  });

  test("fails when a stack's entries differ between chunks", () => {
    expect(() =>
      mergeManifests([manifest({ "tenant-a": {} }), manifest({ "tenant-a": { deps: ["tenant-shared"] } })]),
    ).toThrow(/disagree at manifest\.json \$\.stacks\.tenant-a/);
  });

  test("fails when the chunks were written by different cdktf versions", () => {
    expect(() => mergeManifests([manifest({}), manifest({}, "0.20.0")])).toThrow(
      /\$\.version: "0\.21\.0" vs "0\.20\.0"/,
    );
  });
});
