// Jobs on worker threads (stacks/worker-pool.ts): both sides of the protocol, with real threads.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { answerJobs, runOnWorkers, type PoolReply } from "../../../stacks/worker-pool";

const FIXTURES = path.join(__dirname, "fixtures");

describe("runOnWorkers", () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-pool-"));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test("GIVEN 5 jobs on 2 workers WHEN run THEN every job is done once, each reported to the app's thread", async () => {
    const jobs = [1, 2, 3, 4, 5].map((value, index) => ({
      index,
      value,
      file: path.join(work, `job-${index}`),
    }));
    const done: number[] = [];
    await runOnWorkers(
      { script: path.join(FIXTURES, "doubling-worker.js"), workerData: { factor: 2 }, env: {}, workers: 2 },
      jobs,
      (i) => done.push(i),
    );
    expect(done.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(jobs.map((j) => fs.readFileSync(j.file, "utf8"))).toEqual(["2", "4", "6", "8", "10"]);
  });

  test("fails when a worker exits before answering", async () => {
    await expect(
      runOnWorkers(
        { script: path.join(FIXTURES, "exiting-worker.js"), workerData: {}, env: {}, workers: 1 },
        [{ index: 0 }],
        () => undefined,
      ),
    ).rejects.toThrow("a worker thread exited (code 3)");
  });

  test("fails with what the app's thread threw for a finished job", async () => {
    await expect(
      runOnWorkers(
        { script: path.join(FIXTURES, "doubling-worker.js"), workerData: { factor: 1 }, env: {}, workers: 1 },
        [{ index: 0, value: 1, file: path.join(work, "x") }],
        () => {
          throw new Error("merge failed");
        },
      ),
    ).rejects.toThrow("merge failed");
  });
});

describe("answerJobs", () => {
  /** A port that delivers `jobs` and keeps the replies. */
  function port(jobs: { index: number; fail?: boolean }[]) {
    const replies: PoolReply[] = [];
    return {
      replies,
      on(_event: "message", listener: (job: { index: number; fail?: boolean }) => void) {
        for (const j of jobs) listener(j);
      },
      postMessage: (r: PoolReply) => replies.push(r),
    };
  }

  test("GIVEN a job that works and one that throws WHEN answered THEN the index, then the index with the error's message and stack", () => {
    const p = port([{ index: 0 }, { index: 1, fail: true }]);
    answerJobs(p, (job) => {
      if (job.fail) throw new Error(`job ${job.index} failed`);
    });
    expect(p.replies[0]).toEqual({ index: 0 });
    expect(p.replies[1]).toEqual({
      index: 1,
      error: { message: "job 1 failed", stack: expect.stringContaining("Error: job 1 failed") },
    });
  });
});
