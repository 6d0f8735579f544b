export * from "./kes-tenant";
export * from "./tenant-keystore";
