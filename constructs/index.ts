// Re-exports only.
export * from "./vault";
