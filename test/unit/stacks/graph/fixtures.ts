import * as fs from "node:fs";
import * as path from "node:path";
import { parseTenantsFile, type TenantsFile } from "../../../../shared/tenants-file";

/** The README's example: 3 prefix-isolated tenants, one stack each. */
export const EXAMPLE_FILE = path.resolve(__dirname, "..", "..", "..", "..", "examples", "tenants.yaml");
export const example = (): TenantsFile => parseTenantsFile(fs.readFileSync(EXAMPLE_FILE, "utf8"));

/** Two tenants in namespace isolation, each with its own namespace, K/V mount and AppRole mount. */
export const TWO_NAMESPACES_YAML = `
vault: { endpoint: https://vault.vault.svc:8200, kvEngine: kv, kvVersion: 2, parentNamespace: tenants }
isolation: namespace
tenants:
  - name: payments
    keyServer: { replicas: 3 }
  - name: analytics
    minio: { replicas: 2, storage: 50Gi }
`;
export const twoNamespaces = (): TenantsFile => parseTenantsFile(TWO_NAMESPACES_YAML);
