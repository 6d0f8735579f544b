/**
 * Reliability suite (issue 11): runs each scenario of bench/reliability/scenarios.ts full size against our
 * built key server on OpenBao and prints its figures. Loopback only; every process it starts is stopped
 * by pid. A short version of each runs in CI: test/live/runtime/reliability.test.ts.
 *
 * Usage: npx ts-node --transpile-only bench/reliability.ts [--only fuzz,slowloris,stalled,outage,reload]
 *          [--fuzz 10000] [--slowloris 100] [--seconds 40] [--clients 64] [--outage 20]
 * See bench/README.md.
 */
import { parseArgs } from "node:util";
import {
  fuzz,
  outageUnderLoad,
  reloadDuringOutage,
  slowloris,
  stalledSubscribers,
} from "./reliability/scenarios";
import { startReliabilityBed } from "./reliability/setup";

const ALL = ["fuzz", "slowloris", "stalled", "outage", "reload"];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: "string", default: ALL.join(",") },
      fuzz: { type: "string", default: "10000" },
      slowloris: { type: "string", default: "100" },
      seconds: { type: "string", default: "40" },
      clients: { type: "string", default: "64" },
      outage: { type: "string", default: "20" },
    },
  });
  const only = new Set(values.only!.split(","));
  const seconds = Number(values.seconds);
  const bed = await startReliabilityBed();
  const print = (name: string, figures: unknown) =>
    process.stdout.write(`${name}: ${JSON.stringify(figures, null, 2)}\n`);
  try {
    process.stdout.write(`server pid ${bed.target.pid}, node ${process.version}\n`);
    if (only.has("fuzz")) {
      const f = await fuzz(bed.target, Number(values.fuzz));
      print("fuzz", f);
      if (f.crashed)
        throw new Error(`the server died; its last output:\n${bed.server.process.output().slice(-4000)}`);
    }
    if (only.has("slowloris"))
      print("slowloris", await slowloris(bed.target, Number(values.slowloris), seconds * 1000));
    if (only.has("stalled"))
      print("stalled subscribers", await stalledSubscribers(bed.target, bed.key, 3, 16, seconds * 1000));
    if (only.has("outage"))
      print(
        "vault outage under load",
        await outageUnderLoad(bed.target, bed.bao.process.pid, bed.key, {
          clients: Number(values.clients),
          beforeMs: 10_000,
          outageMs: Number(values.outage) * 1000,
          afterMs: 10_000,
        }),
      );
    if (only.has("reload"))
      print(
        "reload during an outage",
        await reloadDuringOutage(
          bed.target,
          { configFile: bed.server.configFile, output: () => bed.server.process.output() },
          bed.bao.process.pid,
          bed.key,
          { keep: bed.keep, removed: bed.removed },
          Number(values.outage) * 1000,
        ),
      );
  } finally {
    await bed.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`reliability: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
