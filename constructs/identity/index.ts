export * from "./tenant-identities";
