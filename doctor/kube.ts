/**
 * A minimal Kubernetes API client from a kubeconfig (current context; server CA, bearer token or client
 * certificate, inline or as files): GET and POST of JSON, nothing else.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { httpRequest } from "./net";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Access to one API server. */
export interface KubeApi {
  readonly server: string;
  /** JSON body and status; throws on connection errors only. */
  request(method: "GET" | "POST", apiPath: string, body?: unknown): Promise<{ status: number; body: Json }>;
  /** Secret values read with this access (tokens, keys): the doctor never prints them. */
  readonly secrets: readonly string[];
}

/**
 * Reads a kubeconfig file.
 * @throws Error naming the file and field when the current context, its cluster or user is missing.
 */
export function kubeApiFromConfig(file: string): KubeApi {
  const where = `kubeconfig ${file}`;
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as Json;
  const dir = path.dirname(path.resolve(file));
  const ctxName = doc["current-context"] as string | undefined;
  const ctx = (doc.contexts as Json[] | undefined)?.find((c) => c.name === ctxName)?.context as
    | Json
    | undefined;
  if (!ctx) throw new Error(`${where}: current-context ${JSON.stringify(ctxName)} is not among its contexts`);
  const cluster = (doc.clusters as Json[] | undefined)?.find((c) => c.name === ctx.cluster)?.cluster as Json;
  const user = ((doc.users as Json[] | undefined)?.find((u) => u.name === ctx.user)?.user ?? {}) as Json;
  if (!cluster?.server) throw new Error(`${where}: cluster ${JSON.stringify(ctx.cluster)} has no server`);
  const read = (data: unknown, fileName: unknown): string | undefined =>
    typeof data === "string"
      ? Buffer.from(data, "base64").toString("utf8")
      : typeof fileName === "string"
        ? fs.readFileSync(path.resolve(dir, fileName), "utf8")
        : undefined;
  const ca = read(cluster["certificate-authority-data"], cluster["certificate-authority"]);
  const cert = read(user["client-certificate-data"], user["client-certificate"]);
  const key = read(user["client-key-data"], user["client-key"]);
  const token =
    typeof user.token === "string"
      ? user.token
      : typeof user.tokenFile === "string"
        ? fs.readFileSync(path.resolve(dir, user.tokenFile), "utf8").trim()
        : undefined;
  const server = String(cluster.server).replace(/\/+$/, "");
  return {
    server,
    secrets: [token, key].filter((s): s is string => s !== undefined),
    async request(method, apiPath, body) {
      const res = await httpRequest(`${server}${apiPath}`, {
        method,
        headers: {
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(ca ? { ca } : {}),
        ...(cert && key ? { cert, key } : {}),
      });
      let parsed: Json = {};
      try {
        parsed = JSON.parse(res.body) as Json;
      } catch {
        parsed = { message: res.body.slice(0, 200) };
      }
      return { status: res.status, body: parsed };
    },
  };
}
