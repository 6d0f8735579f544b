// Re-exports only.
export * from "./vault";
export * from "./kubernetes";
export * from "./identity";
export * from "./tenant";
