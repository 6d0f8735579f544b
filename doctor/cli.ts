#!/usr/bin/env node
// `kes-vault-kit doctor --tenants FILE --outputs outputs.json [--kubeconfig FILE] [--json] [--tenant NAME...]
// [--connect-to HOST:PORT=HOST2:PORT2...]`: checks each deployed tenant end to end (doctor/report.ts lists the
// steps). Exit status: 0 every tenant passes, 1 a check failed, 2 bad usage or unreadable input.
// Every line printed goes through redact() with every secret value the run read.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { parseTenantsFile } from "../shared/tenants-file";
import { runDoctor } from "./doctor";
import { kubeApiFromConfig } from "./kube";
import { parseConnectTo } from "./net";
import { parseTenantOutputs } from "./outputs";
import { allPassed, formatStepLine, formatTable, redact, toJson } from "./report";

const USAGE = `usage: kes-vault-kit doctor --tenants FILE --outputs FILE [options]
  (in the repository: npm run doctor -- --tenants FILE --outputs FILE [options])
Checks each deployed tenant: 1 Vault login, 2 Vault policy, 3 key server and TLS, 4 generate/decrypt with
MinIO's identity, 5 MinIO KMS status and an SSE-KMS PUT/GET.
  --tenants FILE        the tenants file the rollout deployed
  --outputs FILE        the outputs file of the deploy (npm run rollout -- deploy --outputs-file, or cdktf's)
  --kubeconfig FILE     API server access to read the pods' Secrets (default: $KUBECONFIG)
  --tenant NAME         only this tenant (repeatable)
  --connect-to H:P=H2:P2  reach the Service address H:P at H2:P2 (TLS still checks H), repeatable
  --vault-token-file F  operator token for step 2's sys/capabilities (default: $VAULT_TOKEN); the key
                        server's own token may not ask for its capabilities (its role has no default policy)
  --json                one JSON document on stdout instead of lines and a table
Exit status: 0 every tenant passes, 1 a check failed, 2 bad usage or input.`;

async function main(argv: string[]): Promise<number> {
  const args = argv[0] === "doctor" ? argv.slice(1) : argv;
  if (argv[0] !== "doctor" && argv[0] !== undefined && !argv[0].startsWith("-")) {
    console.error(`unknown command ${JSON.stringify(argv[0])}\n${USAGE}`);
    return 2;
  }
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        tenants: { type: "string" },
        outputs: { type: "string" },
        kubeconfig: { type: "string" },
        tenant: { type: "string", multiple: true },
        "connect-to": { type: "string", multiple: true },
        "vault-token-file": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  if (!values.tenants || !values.outputs || !kubeconfig) {
    console.error(
      `missing ${!values.tenants ? "--tenants" : !values.outputs ? "--outputs" : "--kubeconfig (or $KUBECONFIG)"}\n${USAGE}`,
    );
    return 2;
  }
  let setup;
  try {
    const file = parseTenantsFile(fs.readFileSync(values.tenants, "utf8"), values.tenants);
    const outputs = parseTenantOutputs(
      fs.readFileSync(values.outputs, "utf8"),
      values.tenant ?? file.tenants.filter((t) => t.offboard === undefined).map((t) => t.name),
      values.outputs,
    );
    const operatorToken = values["vault-token-file"]
      ? fs.readFileSync(values["vault-token-file"], "utf8").trim()
      : process.env.VAULT_TOKEN;
    setup = {
      ...(operatorToken ? { operatorToken } : {}),
      file,
      outputs,
      kube: kubeApiFromConfig(kubeconfig),
      connectTo: parseConnectTo(values["connect-to"] ?? []),
    };
  } catch (err) {
    console.error(`doctor: ${(err as Error).message}`);
    return 2;
  }
  const json = values.json === true;
  const secrets: string[] = [];
  const run = await runDoctor({
    ...setup,
    ...(values.tenant ? { tenants: values.tenant } : {}),
    secrets,
    onStep: (tenant, r) => {
      if (!json) console.log(redact(formatStepLine(tenant, r), secrets));
    },
  });
  const out = json ? toJson(run.reports) : `\n${formatTable(run.reports)}`;
  console.log(redact(out, run.secrets));
  return allPassed(run.reports) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`doctor: ${err.message}`);
    process.exit(2);
  },
);
