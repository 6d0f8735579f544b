// The cdktf app (cdktf.json "app", run compiled by scripts/run-app.mjs): synthesizes the stacks the environment
// asks for (stacks/app.ts), a large tenants file in chunks (stacks/fleet-synthesis.ts). The same file is the body
// of the chunks' worker threads.
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { synthApp } from "./app";
import { skipCreationTraces } from "./creation-traces";
import { isFleetWorkerData, runFleetWorker, synthFleet } from "./fleet-synthesis";

skipCreationTraces(process.env);

async function main(): Promise<void> {
  // Worker threads run this file compiled (app.cjs); under ts-node the chunks run in this thread.
  const workerScript = __filename.endsWith(".ts") ? undefined : __filename;
  // A tenants file (in chunks when large), else the single keystore stack.
  if ((await synthFleet(process.env, { workerScript })) === undefined) synthApp(process.env);
}

if (!isMainThread && parentPort !== null && isFleetWorkerData(workerData)) {
  runFleetWorker(parentPort, process.env);
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
