/**
 * cdktf records where every token and nested-block reference was created: it captures a full-depth stack trace
 * on a plain object ({ stack: "" }) and V8 formats it, about a fifth of a fleet's synthesis. cdktf has no switch
 * for these (its `stackTraces: false`, set in stacks/app.ts, covers annotations only). {@link skipCreationTraces}
 * turns them off in the thread that calls it (stacks/main.ts: the app's thread and each synthesis worker).
 */

/** Environment variable that keeps every creation trace (debugging). */
export const KEEP_CREATION_TRACES_ENV = "KVK_SYNTH_STACK_TRACES";

/**
 * Makes V8 format the traces of plain objects as "" while Errors keep theirs, and skips the capture itself where
 * cdktf asks for one on a plain object under its raised limit (cdktf sets `Error.stackTraceLimit` to
 * Number.MAX_SAFE_INTEGER for these; V8 would still walk the whole stack): such a capture records nothing.
 * Errors, and captures under the normal limit, are untouched. Does nothing when KVK_SYNTH_STACK_TRACES=1.
 */
export function skipCreationTraces(env: Readonly<Record<string, string | undefined>>): void {
  if (env[KEEP_CREATION_TRACES_ENV] === "1") return;
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target, frames) => {
    if (!(target instanceof Error)) return "";
    if (previous) return previous(target, frames);
    return `${String(target)}${frames.map((f) => `\n    at ${String(f)}`).join("")}`;
  };
  const capture = Error.captureStackTrace.bind(Error);
  Error.captureStackTrace = function captureStackTrace(
    target: object,
    below?: (...args: never[]) => unknown,
  ) {
    if (Error.stackTraceLimit === Number.MAX_SAFE_INTEGER && !(target instanceof Error)) {
      (target as { stack?: string }).stack = "";
      return;
    }
    capture(target, below);
  };
}
