/** Build information; scripts/build-runtime.mjs defines the two globals when bundling. */
declare const __KVK_VERSION__: string | undefined;
declare const __KVK_COMMIT__: string | undefined;

/** Server version sent by /version and /v1/status. */
export const SERVER_VERSION: string = typeof __KVK_VERSION__ === "string" ? __KVK_VERSION__ : "0.1.0-dev";
/** Source commit of the build, or "". */
export const SERVER_COMMIT: string = typeof __KVK_COMMIT__ === "string" ? __KVK_COMMIT__ : "";
