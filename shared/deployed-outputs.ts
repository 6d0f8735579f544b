/**
 * The part of the rollout's outputs file (`npm run rollout -- deploy --outputs-file outputs.json`) the picture
 * (stacks/graph) and the doctor read: each tenant's key server and MinIO endpoints. Every other output (role-id, certificates, accessor) is
 * left out on purpose, so nothing identifying a credential can reach the picture. Pure.
 */

/** The endpoints one tenant's deployment reported. */
export interface DeployedEndpoints {
  readonly keyServerEndpoints: readonly string[];
  readonly minioEndpoint?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const ENDPOINT = /^https?:\/\/[^\s"]+$/;

function endpoint(where: string, v: unknown): string {
  if (typeof v !== "string" || !ENDPOINT.test(v)) {
    throw new Error(
      `${where} ${JSON.stringify(v)} must be an http(s) address: use the outputs file that npm run rollout -- deploy --outputs-file wrote`,
    );
  }
  return v;
}

/**
 * Reads the endpoints of each tenant from the outputs file's JSON text.
 * @throws Error naming the file, the tenant and the field when the JSON is malformed or an endpoint is not an
 *   http(s) address.
 */
export function parseDeployedOutputs(text: string, where = "outputs file"): Map<string, DeployedEndpoints> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: invalid JSON: ${(err as Error).message}`);
  }
  if (!isObj(doc)) {
    throw new Error(
      `${where}: must be an object keyed by tenant name, got ${JSON.stringify(doc)?.slice(0, 60)}`,
    );
  }
  const out = new Map<string, DeployedEndpoints>();
  for (const [tenant, values] of Object.entries(doc)) {
    if (!isObj(values)) throw new Error(`${where}: tenant "${tenant}" must map to an object of outputs`);
    const ks = values.key_server_endpoints;
    if (ks !== undefined && !Array.isArray(ks)) {
      throw new Error(`${where}: tenant "${tenant}": key_server_endpoints must be a list of addresses`);
    }
    const keyServerEndpoints = (ks ?? []).map((e: unknown, i: number) =>
      endpoint(`${where}: tenant "${tenant}": key_server_endpoints[${i}]`, e),
    );
    const minio = values.minio_endpoint;
    out.set(tenant, {
      keyServerEndpoints,
      ...(minio === undefined
        ? {}
        : { minioEndpoint: endpoint(`${where}: tenant "${tenant}": minio_endpoint`, minio) }),
    });
  }
  return out;
}
