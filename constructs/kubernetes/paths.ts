/**
 * Paths, ports and variable names the key server and MinIO pods are declared with. They are exported so a
 * local runner can lay out the same files and run the same command (see declared-containers.ts).
 */

/** Port of the key server (KES' default). */
export const KEYSERVER_PORT = 7373;
/** Directory of the key server's ConfigMap-mounted config (beside, not above, the Secret mounts: no nested mounts). */
export const KEYSERVER_CONFIG_DIR = "/etc/keyserver/config";
/** The key server's config file. */
export const KEYSERVER_CONFIG_FILE = `${KEYSERVER_CONFIG_DIR}/config.yaml`;
/** Directory of the ConfigMap-mounted runtime bundle. */
export const KEYSERVER_BUNDLE_DIR = "/opt/keyserver";
/** The runtime bundle, run with `node <file> server --config <config>`. */
export const KEYSERVER_BUNDLE_FILE = `${KEYSERVER_BUNDLE_DIR}/keyserver.cjs`;
/** Directory of the Secret-mounted TLS material of the key server. */
export const KEYSERVER_TLS_DIR = "/etc/keyserver/tls";
/** Server private key (PEM). */
export const KEYSERVER_TLS_KEY_FILE = `${KEYSERVER_TLS_DIR}/tls.key`;
/** Server certificate (PEM), with a SAN for every Service DNS name. */
export const KEYSERVER_TLS_CERT_FILE = `${KEYSERVER_TLS_DIR}/tls.crt`;
/** CA certificate of the tenant (PEM). */
export const KEYSERVER_TLS_CA_FILE = `${KEYSERVER_TLS_DIR}/ca.crt`;
/** Directory of the Secret-mounted client certificates whose identities the server computes. */
export const KEYSERVER_CLIENTS_DIR = "/etc/keyserver/clients";
/** Writable scratch directory (an emptyDir): the root filesystem is read-only. */
export const KEYSERVER_TMP_DIR = "/tmp";
/** The automounted service-account token (not used by the kit: the key server gets a projected one). */
export const KEYSERVER_SERVICE_ACCOUNT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/** Directory of the projected service-account token for Vault's Kubernetes auth (Kubernetes login only). */
export const KEYSERVER_VAULT_TOKEN_DIR = "/var/run/secrets/vault";
/** The projected token the key server logs in to Vault with, read again at every login. */
export const KEYSERVER_VAULT_TOKEN_FILE = `${KEYSERVER_VAULT_TOKEN_DIR}/token`;

/** Environment variable holding the listen address; the config refers to it as `${KEYSERVER_ADDRESS}`. */
export const ENV_KEYSERVER_ADDRESS = "KEYSERVER_ADDRESS";
/** Environment variable holding the AppRole role-id (from the Secret). */
export const ENV_VAULT_ROLE_ID = "KEYSERVER_VAULT_ROLE_ID";
/** Environment variable holding the AppRole secret-id (from the Secret). */
export const ENV_VAULT_SECRET_ID = "KEYSERVER_VAULT_SECRET_ID";

/** Keys of the key server's Secret. */
export const KEYSERVER_SECRET_KEYS = {
  roleId: "vault-role-id",
  secretId: "vault-secret-id",
  tlsKey: "tls.key",
  tlsCert: "tls.crt",
  caCert: "ca.crt",
} as const;

/** Keys of the key server's ConfigMap. */
export const KEYSERVER_CONFIG_MAP_KEYS = { config: "config.yaml", bundle: "keyserver.cjs" } as const;

/** MinIO's S3 port. */
export const MINIO_PORT = 9000;
/** MinIO's console port. */
export const MINIO_CONSOLE_PORT = 9001;
/** Mount path of MinIO's data volume. */
export const MINIO_DATA_DIR = "/data";
/** Directory of the Secret-mounted key server client credentials of MinIO. */
export const MINIO_KES_DIR = "/etc/minio/kes";
/** MinIO's client certificate for the key server (PEM). */
export const MINIO_KES_CLIENT_CERT_FILE = `${MINIO_KES_DIR}/client.crt`;
/** MinIO's client private key for the key server (PEM). */
export const MINIO_KES_CLIENT_KEY_FILE = `${MINIO_KES_DIR}/client.key`;
/** CA that signed the key server's certificate (MINIO_KMS_KES_CAPATH). */
export const MINIO_KES_CA_FILE = `${MINIO_KES_DIR}/ca.crt`;
/** Directory where an external CA Secret (KeyServerTls.fromSecret) is mounted in MinIO's pods. */
export const MINIO_KES_EXTERNAL_CA_DIR = "/etc/minio/kes-ca";
/** MinIO's certificate directory: an emptyDir, since the root filesystem is read-only. */
export const MINIO_CERTS_DIR = "/tmp/minio-certs";

/** Keys of MinIO's key server credentials Secret. */
export const MINIO_KES_SECRET_KEYS = {
  clientCert: "client.crt",
  clientKey: "client.key",
  caCert: "ca.crt",
} as const;
/** Keys of MinIO's root credentials Secret. */
export const MINIO_ROOT_SECRET_KEYS = { user: "root-user", password: "root-password" } as const;
