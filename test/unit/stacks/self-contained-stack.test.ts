import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { DataVaultGenericSecret } from "@cdktf/provider-vault/lib/data-vault-generic-secret";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import {
  App,
  Fn,
  LocalBackend,
  TerraformIterator,
  TerraformLocal,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
} from "cdktf";
import { Construct } from "constructs";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SelfContainedStack, undeclaredReferences } from "../../../stacks/self-contained-stack";

const GOLDEN = path.join(__dirname, "golden");

function stackFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? stackFiles(p) : e.name === "cdk.tf.json" ? [p] : [];
  });
}

describe("undeclaredReferences", () => {
  test("GIVEN references to declared resources, data sources, variables and paths THEN none is undeclared", () => {
    const tf = {
      resource: { vault_mount: { kv: { path: "kv" } }, kubernetes_secret_v1: { s: {} } },
      data: { vault_generic_secret: { d: {} } },
      output: {
        a: { value: "${vault_mount.kv.path}" },
        b: { value: "${nonsensitive(sha256(jsonencode(kubernetes_secret_v1.s.data)))}" },
        c: { value: '${data.vault_generic_secret.d.data["x"]}' },
        d: { value: '${sensitive(file("../../assets/KeyServerBundle/abc/keyserver.cjs"))}' },
        e: { value: "${var.x} ${path.module} $${NOT_TERRAFORM.x} %{ if true }y%{ endif }" },
        f: { value: "address: $${KEYSERVER_ADDRESS} plain.text" },
      },
    };
    expect(undeclaredReferences(tf)).toEqual([]);
  });

  test("GIVEN references to resources and data sources the stack lacks THEN they are named", () => {
    const tf = {
      resource: { vault_mount: { kv: {} } },
      output: {
        a: { value: "${vault_mount.other.path}-${vault_policy.p.name}" },
        b: { value: "${upper(data.terraform_remote_state.shared.outputs.x)}" },
      },
    };
    expect(undeclaredReferences(tf)).toEqual([
      "data.terraform_remote_state.shared",
      "vault_mount.other",
      "vault_policy.p",
    ]);
  });

  test("GIVEN the golden 3-tenant stacks, both layouts THEN every reference is declared in its stack", () => {
    const files = stackFiles(GOLDEN);
    expect(files.length).toBe(5);
    for (const f of files) {
      expect([f, undeclaredReferences(JSON.parse(fs.readFileSync(f, "utf8")))]).toEqual([f, []]);
    }
  });
});

describe("SelfContainedStack", () => {
  test("GIVEN a token of another stack WHEN synthesized THEN synthesis fails naming the reference", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "kvk-self-contained-")) });
    const shared = new TerraformStack(app, "shared");
    new VaultProvider(shared, "vault", {});
    const mount = new Mount(shared, "kv", { path: "kv", type: "kv" });
    const tenant = new SelfContainedStack(app, "tenant");
    new VaultProvider(tenant, "vault", {});
    new Policy(tenant, "policy", { name: "p", policy: `path "${mount.path}/*" { capabilities = ["read"] }` });
    try {
      expect(() => app.synth()).toThrow(
        "stack tenant refers to vault_mount.kv, which it does not declare: a value of another stack was passed to its constructs",
      );
    } finally {
      fs.rmSync(app.outdir, { recursive: true, force: true });
    }
  });

  test("GIVEN only its own values WHEN synthesized THEN it synthesizes as a plain stack does", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-self-contained-"));
    try {
      const build = (Stack: typeof TerraformStack, dir: string) => {
        const app = new App({ outdir: dir });
        const stack = new Stack(app, "tenant");
        new VaultProvider(stack, "vault", {});
        const mount = new Mount(stack, "kv", { path: "kv", type: "kv" });
        new Policy(stack, "policy", {
          name: "p",
          policy: `path "${mount.path}/*" { capabilities = ["read"] }`,
        });
        app.synth();
        return fs.readFileSync(path.join(dir, "stacks", "tenant", "cdk.tf.json"), "utf8");
      };
      const plain = build(TerraformStack, path.join(outdir, "plain"));
      expect(build(SelfContainedStack, path.join(outdir, "self"))).toBe(plain);
      expect(plain).toContain("${vault_mount.kv.path}/*");
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

/**
 * A stack with what cdktf's toTerraform() handles: tokens of one element in another, a data source, a variable,
 * a local, outputs (one nested in a construct), a backend, element overrides and stack overrides (nested, a
 * token, an object with a token, an array, a deletion, one into a resource).
 */
function buildTricky(stack: TerraformStack): void {
  new LocalBackend(stack, { path: "/var/lib/kvk/state.tfstate" });
  new VaultProvider(stack, "vault", {});
  const mount = new Mount(stack, "kv", { path: "kv", type: "kv", options: { version: "1" } });
  const prefix = new TerraformVariable(stack, "prefix", { type: "string", default: "t" });
  const secret = new DataVaultGenericSecret(stack, "secret", { path: `${mount.path}/seed` });
  const local = new TerraformLocal(stack, "joined", Fn.join("-", [prefix.stringValue, mount.path]));
  const policy = new Policy(stack, "policy", {
    name: `${prefix.stringValue}-p`,
    policy: `path "${mount.path}/${local.asString}/*" { capabilities = ["read"] }`,
    dependsOn: [mount],
  });
  policy.addOverride("lifecycle.ignore_changes", ["policy"]);
  mount.addOverride("description", Fn.upper(secret.path));
  new TerraformOutput(stack, "mount-path", { value: mount.path });
  const nested = new Construct(stack, "Tenant");
  new TerraformOutput(nested, "policy-name", { value: policy.name, sensitive: true });
  stack.addOverride("terraform.required_providers.vault.version", "5.0.0");
  stack.addOverride("terraform.required_providers.vault.source", undefined);
  stack.addOverride("locals.extra", Fn.lower(mount.accessor));
  stack.addOverride("output.raw", { value: `${mount.path}-raw`, description: "raw" });
  stack.addOverride("resource.vault_policy.policy.depends_on", [`vault_mount.${mount.friendlyUniqueId}`]);
}

describe("SelfContainedStack.toTerraform", () => {
  test("GIVEN tokens across elements, outputs, a backend and overrides WHEN converted THEN the JSON equals cdktf's own", () => {
    const plainStack = new TerraformStack(new App({ outdir: os.tmpdir() }), "tenant");
    buildTricky(plainStack);
    const selfStack = new SelfContainedStack(new App({ outdir: os.tmpdir() }), "tenant");
    buildTricky(selfStack);
    const plain = plainStack.toTerraform() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

    expect(JSON.stringify(selfStack.toTerraform())).toBe(JSON.stringify(plain));
    // What the comparison covers: each of these is in cdktf's JSON.
    expect(plain.resource.vault_policy.policy.policy).toBe(
      'path "${vault_mount.kv.path}/${local.joined}/*" { capabilities = ["read"] }',
    );
    expect(plain.resource.vault_policy.policy.lifecycle).toEqual({ ignore_changes: ["policy"] });
    expect(plain.resource.vault_policy.policy.depends_on).toEqual(["vault_mount.kv", "vault_mount.kv"]);
    expect(plain.resource.vault_mount.kv.description).toBe("${upper(data.vault_generic_secret.secret.path)}");
    expect(plain.terraform.required_providers.vault).toEqual({ version: "5.0.0" });
    expect(plain.terraform.backend.local.path).toBe("/var/lib/kvk/state.tfstate");
    expect(plain.locals.extra).toBe("${lower(vault_mount.kv.accessor)}");
    expect(plain.output).toEqual({
      "mount-path": { value: "${vault_mount.kv.path}" },
      "Tenant_policy-name_F5FD9211": { value: "${vault_policy.policy.name}", sensitive: true },
      raw: { value: "${vault_mount.kv.path}-raw", description: "raw" },
    });
    expect(plain["//"].metadata.overrides).toEqual({
      stack: ["terraform", "locals", "output", "resource"],
      vault_policy: ["lifecycle"],
      vault_mount: ["description"],
    });
    expect(plain["//"].outputs).toEqual({
      tenant: { "mount-path": "mount-path", Tenant: { "policy-name": "Tenant_policy-name_F5FD9211" } },
    });
    expect(plain["//"].metadata).not.toHaveProperty("cloud");
  });

  test("GIVEN no stack overrides WHEN converted THEN the JSON equals cdktf's own", () => {
    const build = (stack: TerraformStack) => {
      new VaultProvider(stack, "vault", {});
      const mount = new Mount(stack, "kv", { path: "kv", type: "kv" });
      new Policy(stack, "policy", { name: "p", policy: `path "${mount.path}/*" {}` });
      new TerraformOutput(stack, "accessor", { value: mount.accessor });
      return stack;
    };
    const plain = build(new TerraformStack(new App({ outdir: os.tmpdir() }), "tenant")).toTerraform();
    const self = build(new SelfContainedStack(new App({ outdir: os.tmpdir() }), "tenant")).toTerraform();
    expect(JSON.stringify(self)).toBe(JSON.stringify(plain));
    expect(JSON.stringify(self)).toContain('"policy":"path \\"${vault_mount.kv.path}/*\\" {}"');
  });

  test("GIVEN for_each and a dynamic block WHEN converted THEN the JSON equals cdktf's own", () => {
    const build = (stack: TerraformStack) => {
      new KubernetesProvider(stack, "kubernetes", {});
      const names = TerraformIterator.fromList(["a", "b"]);
      const ports = TerraformIterator.fromMap({ http: { port: 80 }, https: { port: 443 } });
      new ServiceV1(stack, "svc", {
        forEach: names,
        metadata: { name: names.value as string, namespace: "ns" },
        spec: {
          port: ports.dynamic({ port: ports.getNumber("port"), name: Fn.tostring(ports.getNumber("port")) }),
        },
      });
      return stack;
    };
    const plain = build(new TerraformStack(new App({ outdir: os.tmpdir() }), "tenant")).toTerraform();
    const self = build(new SelfContainedStack(new App({ outdir: os.tmpdir() }), "tenant")).toTerraform();
    expect(JSON.stringify(self)).toBe(JSON.stringify(plain));
    expect(JSON.stringify(self)).toContain('"for_each":"${toset([\\"a\\", \\"b\\"])}"');
    expect(JSON.stringify(self)).toContain('"content":{"port":"${each.value.port}"');
  });

  test("GIVEN a stack override WHEN synthesized THEN the written file equals a plain stack's", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-self-contained-"));
    try {
      const synth = (Stack: typeof TerraformStack, dir: string) => {
        const app = new App({ outdir: dir });
        buildTricky(new Stack(app, "tenant"));
        app.synth();
        return fs.readFileSync(path.join(dir, "stacks", "tenant", "cdk.tf.json"), "utf8");
      };
      const plain = synth(TerraformStack, path.join(outdir, "plain"));
      expect(synth(SelfContainedStack, path.join(outdir, "self"))).toBe(plain);
      expect(plain).toContain('"version": "5.0.0"');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
