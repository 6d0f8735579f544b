import { VaultProvider } from "@cdktf/provider-vault/lib/provider";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { App, TerraformStack } from "cdktf";
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
