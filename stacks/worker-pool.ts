/**
 * Jobs on worker threads, both sides: the app's thread hands each worker one job at a time as it finishes the last
 * (stacks/fleet-synthesis.ts: a chunk of tenants each), a worker answers each job with its index, or with the
 * error it threw. Jobs and answers are plain data (structured clone).
 */
import { Worker } from "node:worker_threads";

/** A job: its index among the jobs, and what the worker needs for it. */
export interface PoolJob {
  readonly index: number;
}

/** A worker's answer to a job: its index, and the error's message and stack when the job failed. */
export interface PoolReply {
  readonly index: number;
  readonly error?: { readonly message: string; readonly stack?: string };
}

/** What a worker's side needs of its `parentPort`. */
export interface PoolPort<J extends PoolJob> {
  on(event: "message", listener: (job: J) => void): unknown;
  postMessage(reply: PoolReply): void;
}

/**
 * The worker's side: runs `handle` for each job the app's thread sends and answers with the job's index, or with
 * the message and stack of what `handle` threw.
 */
export function answerJobs<J extends PoolJob>(port: PoolPort<J>, handle: (job: J) => void): void {
  port.on("message", (job: J) => {
    try {
      handle(job);
      port.postMessage({ index: job.index });
    } catch (err) {
      const error =
        err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
      port.postMessage({ index: job.index, error });
    }
  });
}

/** Where and how to start the workers of {@link runOnWorkers}. */
export interface PoolOptions {
  /** The script each worker runs (it calls {@link answerJobs}). */
  readonly script: string;
  /** Each worker's `workerData`. */
  readonly workerData: unknown;
  /** Each worker's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Worker threads, at most one per job. */
  readonly workers: number;
}

/**
 * Runs `jobs` on worker threads, calling `done` in this thread as each finishes (in any order), and stops every
 * worker when all are done or one failed.
 * @throws Error: the first job's error as the worker threw it (its message and the worker's stack), what `done`
 * threw, a worker's own error, or a worker that exited before its job was answered.
 */
export async function runOnWorkers<J extends PoolJob>(
  opts: PoolOptions,
  jobs: readonly J[],
  done: (index: number) => void,
): Promise<void> {
  const threads: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let finished = 0;
      let failed = false;
      const fail = (err: Error) => {
        failed = true;
        reject(err);
      };
      const give = (w: Worker) => {
        if (next < jobs.length) w.postMessage(jobs[next++]);
      };
      for (let i = 0; i < Math.min(opts.workers, jobs.length); i++) {
        const w = new Worker(opts.script, { workerData: opts.workerData, env: { ...opts.env } });
        threads.push(w);
        w.on("message", (reply: PoolReply) => {
          if (failed) return;
          if (reply.error !== undefined) {
            const err = new Error(reply.error.message);
            if (reply.error.stack !== undefined) err.stack = reply.error.stack;
            fail(err);
            return;
          }
          try {
            done(reply.index);
          } catch (err) {
            fail(err as Error);
            return;
          }
          if (++finished === jobs.length) resolve();
          else give(w);
        });
        w.on("error", (err) => {
          if (!failed) fail(err);
        });
        w.on("exit", (code) => {
          if (!failed && finished < jobs.length) fail(new Error(`a worker thread exited (code ${code})`));
        });
        give(w);
      }
    });
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
