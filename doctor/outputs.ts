/**
 * The outputs file the doctor reads: `npm run rollout -- deploy --outputs-file F` writes
 * `{ "<tenant>": { "<output>": value } }`; `cdktf deploy --outputs-file F` (the local flow) writes
 * `{ "<stack>": { ... "<tenant>_<output>": value } }` with the tenant's outputs under its construct's id. Both
 * are brought to the first form, then read with the graph's reader (shared/deployed-outputs.ts). Pure.
 */
import { parseDeployedOutputs, type DeployedEndpoints } from "../shared/deployed-outputs";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** What the doctor uses of one tenant's outputs. */
export interface TenantOutputs extends DeployedEndpoints {
  /** The AppRole role-id the deploy reported (not secret), when the tenant logs in with AppRole. */
  readonly roleId?: string;
  /** MinIO's default key (MINIO_KMS_KES_KEY_NAME). */
  readonly defaultKeyName?: string;
}

/** Every `<tenant>_<output>` leaf of a cdktf outputs document, by tenant, for the tenants named. */
function fromCdktf(doc: Obj, tenants: readonly string[]): Obj {
  const out: Record<string, Obj> = {};
  const visit = (node: Obj) => {
    for (const [k, v] of Object.entries(node)) {
      const t = tenants.find((name) => k.startsWith(`${name.replace(/-/g, "_")}_`));
      if (t !== undefined && !isObj(v)) {
        (out[t] ??= {})[k.slice(t.length + 1)] = v;
      } else if (isObj(v)) {
        visit(v);
      }
    }
  };
  visit(doc);
  return out;
}

/**
 * Reads each tenant's outputs from the file's JSON text (either form, see the file comment).
 * @param tenants the tenants of the tenants file (to recognise `<tenant>_` output names).
 * @throws Error naming the file and the field when the JSON is malformed, or when a tenant has no outputs.
 */
export function parseTenantOutputs(
  text: string,
  tenants: readonly string[],
  where = "outputs file",
): Map<string, TenantOutputs> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: invalid JSON: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw new Error(`${where}: must be a JSON object (the outputs file of a deploy)`);
  const rolloutForm = Object.values(doc).some((v) => isObj(v) && "key_server_endpoints" in v);
  const normal = rolloutForm ? doc : fromCdktf(doc, tenants);
  const endpoints = parseDeployedOutputs(JSON.stringify(normal), where);
  const out = new Map<string, TenantOutputs>();
  for (const t of tenants) {
    const e = endpoints.get(t);
    const values = normal[t] as Obj | undefined;
    if (e === undefined || values === undefined || e.keyServerEndpoints.length === 0) {
      throw new Error(
        `${where}: no outputs for tenant "${t}": deploy it first (npm run rollout -- deploy --outputs-file ${where}), or leave it out with --tenant`,
      );
    }
    out.set(t, {
      ...e,
      ...(typeof values.role_id === "string" ? { roleId: values.role_id } : {}),
      ...(typeof values.default_key_name === "string" ? { defaultKeyName: values.default_key_name } : {}),
    });
  }
  return out;
}
