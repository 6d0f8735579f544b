import { KEYSERVER_PORT, MINIO_PORT } from "./paths";

/**
 * Where a Service of the kit is reached inside the cluster: its DNS names and its endpoint URL, computed in one
 * place for the key server and MinIO (and for the tenant, which knows them before any Service exists). Pure.
 * @see https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services
 */
export class ServiceAddress {
  /** The key server's Service: HTTPS on 7373. */
  public static keyServer(name: string, namespace: string, clusterDomain?: string): ServiceAddress {
    return new ServiceAddress(name, namespace, clusterDomain ?? "cluster.local", "https", KEYSERVER_PORT);
  }

  /** MinIO's S3 Service: HTTP on 9000. */
  public static minio(name: string, namespace: string, clusterDomain?: string): ServiceAddress {
    return new ServiceAddress(name, namespace, clusterDomain ?? "cluster.local", "http", MINIO_PORT);
  }

  /** DNS names of the Service, shortest first (a certificate for it carries all of them). */
  public readonly dnsNames: string[];

  private constructor(
    public readonly serviceName: string,
    public readonly namespace: string,
    public readonly clusterDomain: string,
    public readonly scheme: "http" | "https",
    public readonly port: number,
  ) {
    const svc = `${serviceName}.${namespace}.svc`;
    this.dnsNames = [serviceName, `${serviceName}.${namespace}`, svc, `${svc}.${clusterDomain}`];
  }

  /** The fully qualified name, `<service>.<namespace>.svc.<cluster domain>`. */
  public get fqdn(): string {
    return this.dnsNames[this.dnsNames.length - 1];
  }

  /** The URL clients use, e.g. `https://keyserver.payments.svc.cluster.local:7373`. */
  public get endpoint(): string {
    return `${this.scheme}://${this.fqdn}:${this.port}`;
  }
}
