/**
 * Synthesis of a large tenants file in chunks of tenants, each chunk its own cdktf App, on worker threads when
 * the app runs compiled (scripts/run-app.mjs): the output is the one `synthApp` writes, byte for byte, in less
 * time and memory. A cdktf app keeps every construct of every tenant until its last stack is written, and the
 * synthesis of each tenant gets slower as that heap grows (about 7 ms of CPU per tenant at 250 tenants, 12 ms at
 * 1000 on the bench machine); a chunk's constructs are garbage once it is written, and chunks run in parallel.
 *
 * A chunk is the same app with part of the tenants: in a stack per tenant, its tenant stacks (and the shared
 * stack, which each chunk holds for the dependencies and only the first one keeps); in one stack, the same
 * "tenants" stack with its tenants, merged key by key into the stack's `cdk.tf.json` (stacks/chunk-merge.ts).
 * This file plans the chunks and runs them (on threads: stacks/worker-pool.ts); stacks/chunk-output.ts moves
 * their output into place.
 */
import { App } from "cdktf";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TenantsFile } from "../shared/tenants-file";
import { mergeStackChunk, type JsonObject } from "./chunk-merge";
import { moveChunksIntoPlace, readJson } from "./chunk-output";
import {
  buildTenantsStacks,
  readTenantsFile,
  TENANTS_STACK_ID,
  tenantsSettingsFromEnv,
  type TenantsStacksOptions,
} from "./tenants-stacks";
import { answerJobs, runOnWorkers, type PoolJob, type PoolPort } from "./worker-pool";

/** Environment variables of the chunked synthesis. */
export const FLEET_ENV = {
  /**
   * Tenants per chunk, whenever there are more; 0 synthesizes the whole app in one piece. Unset: chunks of
   * {@link DEFAULT_CHUNK_TENANTS} when there are more than {@link DEFAULT_CHUNK_FROM} tenants.
   */
  chunk: "KVK_SYNTH_CHUNK",
  /** Worker threads; 1 runs the chunks one after another in the app's own thread. */
  workers: "KVK_SYNTH_WORKERS",
} as const;

/** Tenants per chunk unless KVK_SYNTH_CHUNK says otherwise (bench/README.md "Synthesis", round 5). */
export const DEFAULT_CHUNK_TENANTS = 100;
/**
 * Unless KVK_SYNTH_CHUNK says otherwise, a file of at most this many tenants is synthesized in one piece: below
 * it, starting worker threads (each loads cdktf and the bindings) costs more than the smaller heaps save
 * (bench/README.md "Synthesis", round 5: 300 tenants 3.2 to 3.6 s in one piece, 4.0 to 4.5 s in chunks; 500
 * tenants 3.6 to 7.5 s in one piece, 4.4 to 5.9 s in chunks).
 */
export const DEFAULT_CHUNK_FROM = 400;
/** Most worker threads by default, however many cores there are: each loads cdktf and the bindings. */
export const MAX_DEFAULT_WORKERS = 4;

/** How an app is synthesized: in one piece, or in chunks of tenants on some threads. */
export interface FleetPlan {
  /** Tenants of each chunk, in order. */
  readonly chunks: readonly TenantsFile[];
  /** Worker threads (1: the chunks run in the app's own thread). */
  readonly workers: number;
  /** One stack for all tenants (else a stack per tenant). */
  readonly oneStack: boolean;
}

function nonNegativeInteger(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): number | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} ${JSON.stringify(v)} must be a whole number (0 or more)`);
  }
  return n;
}

/**
 * Whether and how to split the synthesis of `file`: undefined (one piece) when KVK_SYNTH_CHUNK is 0, when cdktf
 * is asked for HCL (SYNTH_HCL_OUTPUT=true; chunks are merged as JSON), or when the tenants fit in one chunk of
 * KVK_SYNTH_CHUNK, or without it when there are at most {@link DEFAULT_CHUNK_FROM}.
 * Otherwise as many chunks as it takes to hold at most KVK_SYNTH_CHUNK tenants each, of even sizes, in the
 * file's order; in one stack they hold its active tenants only (offboarded ones are not in
 * that stack), in a stack per tenant every tenant (an offboarded one has a stack of its own). Workers:
 * KVK_SYNTH_WORKERS, else as many as the machine has cores, at most {@link MAX_DEFAULT_WORKERS}, never more
 * than chunks; 1 when `threads` is false (no compiled script to run in a worker). Pure but for the core count.
 * @throws Error naming the variable when KVK_SYNTH_CHUNK or KVK_SYNTH_WORKERS is not a whole number.
 */
export function planFleetSynthesis(
  file: TenantsFile,
  options: TenantsStacksOptions,
  env: Readonly<Record<string, string | undefined>>,
  threads: boolean,
): FleetPlan | undefined {
  const chosen = nonNegativeInteger(env, FLEET_ENV.chunk);
  const size = chosen ?? DEFAULT_CHUNK_TENANTS;
  const requestedWorkers = nonNegativeInteger(env, FLEET_ENV.workers);
  if (requestedWorkers === 0) throw new Error(`${FLEET_ENV.workers} "0" must be 1 or more`);
  if (size === 0 || env.SYNTH_HCL_OUTPUT === "true") return undefined;
  const oneStack = !(options.stackPerTenant ?? file.stackPerTenant);
  const tenants = oneStack ? file.tenants.filter((t) => t.offboard === undefined) : file.tenants;
  if (tenants.length <= (chosen === undefined ? DEFAULT_CHUNK_FROM : size)) return undefined;
  // As many chunks as `size` asks for, of even sizes (300 tenants by 250: 150 and 150, not 250 and 50).
  const count = Math.ceil(tenants.length / size);
  const chunks: TenantsFile[] = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor((i * tenants.length) / count);
    const to = Math.floor(((i + 1) * tenants.length) / count);
    chunks.push({ ...file, tenants: tenants.slice(from, to) });
  }
  const workers = threads
    ? Math.min(requestedWorkers ?? Math.min(os.availableParallelism(), MAX_DEFAULT_WORKERS), chunks.length)
    : 1;
  return { chunks, workers, oneStack };
}

/** Synthesizes one chunk into `outdir` with cdktf's App, as `synthApp` synthesizes the whole file. */
export function synthChunk(chunk: TenantsFile, options: TenantsStacksOptions, outdir: string): void {
  const app = new App({ stackTraces: false, outdir });
  buildTenantsStacks(app, chunk, options);
  app.synth();
}

/** A chunk as a worker thread is sent it. */
interface ChunkJob extends PoolJob {
  readonly chunk: TenantsFile;
  readonly outdir: string;
}

/** `workerData` of a synthesis worker: a mark only (the worker reads its settings from its environment). */
export interface FleetWorkerData {
  readonly kvkFleetSynthesis: true;
}

/** Whether `data` (a thread's `workerData`) starts a synthesis worker. */
export function isFleetWorkerData(data: unknown): data is FleetWorkerData {
  return typeof data === "object" && data !== null && "kvkFleetSynthesis" in data;
}

/**
 * The body of a synthesis worker thread (stacks/main.ts runs it when started with {@link FleetWorkerData}):
 * reads the settings from its environment (`env`: the app's, given to the thread) once, then synthesizes each chunk it is sent and answers
 * with its index, or with the error's message and stack.
 */
export function runFleetWorker(
  port: PoolPort<ChunkJob>,
  env: Readonly<Record<string, string | undefined>>,
): void {
  const settings = tenantsSettingsFromEnv(env);
  answerJobs(port, (job) => {
    if (settings === undefined) throw new Error("KVK_TENANTS_FILE is not set in the worker's environment");
    synthChunk(job.chunk, settings.options, job.outdir);
  });
}

/** Options of {@link synthFleet}. */
export interface FleetSynthesisOptions {
  /**
   * Output directory.
   * @default - CDKTF_OUTDIR, else "cdktf.out" (cdktf's own rule)
   */
  readonly outdir?: string;
  /**
   * A compiled script that runs {@link runFleetWorker} when started as a worker thread (the app's app.cjs):
   * chunks run on worker threads.
   * @default - the chunks run one after another in this thread
   */
  readonly workerScript?: string;
}

/** What {@link synthFleet} did. */
export interface FleetSynthesis {
  /** Chunks of tenants, 1 when the app was synthesized in one piece. */
  readonly chunks: number;
  readonly workers: number;
}

/**
 * Synthesizes the tenants file KVK_TENANTS_FILE names (with the settings `synthApp` reads from `env`) into the
 * output directory, in chunks of tenants or in one piece (as `synthApp` does) as {@link planFleetSynthesis}
 * decides; returns undefined, having written nothing, when KVK_TENANTS_FILE is not set.
 * Chunks are synthesized under `<outdir>/.kvk-chunks-<random>` and moved or merged into place; that folder is removed,
 * also on failure. A file cdktf would have written is written the same (a stack directory, the bundle assets,
 * manifest.json); others left from an earlier synthesis stay, as with cdktf.
 * @throws Error from the tenants file, the settings, a chunk's synthesis (the first to fail), or when chunks
 * disagree on what they share.
 */
export async function synthFleet(
  env: Readonly<Record<string, string | undefined>>,
  opts: FleetSynthesisOptions = {},
): Promise<FleetSynthesis | undefined> {
  const settings = tenantsSettingsFromEnv(env);
  if (settings === undefined) return undefined;
  const file = readTenantsFile(settings.file);
  const plan = planFleetSynthesis(file, settings.options, env, opts.workerScript !== undefined);
  const outdir = opts.outdir ?? env.CDKTF_OUTDIR ?? "cdktf.out";
  if (plan === undefined) {
    // As synthApp does, with the file read once.
    synthChunk(file, settings.options, outdir);
    return { chunks: 1, workers: 1 };
  }
  fs.mkdirSync(outdir, { recursive: true });
  const work = fs.mkdtempSync(path.join(outdir, ".kvk-chunks-"));
  try {
    const messages: ChunkJob[] = plan.chunks.map((chunk, index) => ({
      index,
      chunk,
      outdir: path.join(work, String(index)),
    }));
    const merged: JsonObject = {};
    const stackFile = path.join("stacks", TENANTS_STACK_ID, "cdk.tf.json");
    // One stack: each chunk's JSON is merged as soon as it is written, while other chunks still run.
    const collect = (index: number) => {
      if (!plan.oneStack) return;
      mergeStackChunk(merged, readJson<JsonObject>(path.join(messages[index].outdir, stackFile)));
    };
    if (plan.workers > 1 && opts.workerScript !== undefined) {
      const workerData: FleetWorkerData = { kvkFleetSynthesis: true };
      await runOnWorkers(
        { script: opts.workerScript, workerData, env, workers: plan.workers },
        messages,
        collect,
      );
    } else {
      for (const m of messages) {
        synthChunk(m.chunk, settings.options, m.outdir);
        collect(m.index);
      }
    }
    await moveChunksIntoPlace(
      outdir,
      messages.map((m) => m.outdir),
      plan.oneStack ? merged : undefined,
    );
    return { chunks: plan.chunks.length, workers: plan.workers };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
