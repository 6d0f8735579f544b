/**
 * Log streams across workers (multi-worker mode): a /v1/log/audit or /v1/log/error client connected to
 * one worker receives the events of every worker. Each worker tells the primary how many stream clients
 * it has; the primary tells each worker how many the others have, and forwards every line a worker
 * publishes to the other workers. A worker only sends lines while another worker has a client.
 */
import type { Multicast } from "../log/multicast";
import type { ServerServices } from "../server/context";

/** Which log stream a message is about. */
export type StreamName = "audit" | "error";

/** Worker -> primary, and primary -> worker. */
export type RelayMessage =
  /** worker -> primary: this worker now has `count` clients on `stream`. */
  | { readonly kvk: "log-clients"; readonly stream: StreamName; readonly count: number }
  /** primary -> worker: the other workers have `count` clients on `stream`. */
  | { readonly kvk: "log-remote"; readonly stream: StreamName; readonly count: number }
  /** both ways: one event line of `stream`. */
  | { readonly kvk: "log-line"; readonly stream: StreamName; readonly line: string };

/** True when `m` is a relay message. Never throws. */
export function isRelayMessage(m: unknown): m is RelayMessage {
  if (typeof m !== "object" || m === null) return false;
  const r = m as { kvk?: unknown; stream?: unknown };
  return (
    (r.kvk === "log-clients" || r.kvk === "log-remote" || r.kvk === "log-line") &&
    (r.stream === "audit" || r.stream === "error")
  );
}

/** An IPC channel: a cluster worker's `process`, or the primary's Worker object. */
export interface Channel {
  send(message: RelayMessage): unknown;
}

function streams(services: ServerServices): Record<StreamName, Multicast> {
  return { audit: services.audit.stream, error: services.log.stream };
}

/**
 * Worker side: reports local client counts to the primary, sends local lines while other workers have
 * clients, delivers the other workers' lines to local clients. Returns the handler for the primary's
 * messages. Never throws.
 */
export function relayWorkerStreams(services: ServerServices, primary: Channel): (message: unknown) => void {
  const byName = streams(services);
  for (const name of ["audit", "error"] as const) {
    const m = byName[name];
    m.onLocalChange = (count) => primary.send({ kvk: "log-clients", stream: name, count });
    m.relay = (line) => primary.send({ kvk: "log-line", stream: name, line });
  }
  return (message) => {
    if (!isRelayMessage(message)) return;
    const m = byName[message.stream];
    if (message.kvk === "log-remote") m.remote = message.count;
    else if (message.kvk === "log-line") m.deliver(message.line);
  };
}

/** Primary side: client counts per worker and line forwarding. */
export class LogHub {
  private readonly workers = new Map<number, { channel: Channel; audit: number; error: number }>();

  /** Registers a worker by id. */
  add(id: number, channel: Channel): void {
    this.workers.set(id, { channel, audit: 0, error: 0 });
    for (const stream of ["audit", "error"] as const) this.sendRemote(id, stream);
  }

  /** Forgets a worker (exited) and updates the others' counts. */
  remove(id: number): void {
    if (!this.workers.delete(id)) return;
    for (const stream of ["audit", "error"] as const)
      for (const other of this.workers.keys()) this.sendRemote(other, stream);
  }

  /** Handles a message from worker `id`; ignores anything that is not a relay message. Never throws. */
  receive(id: number, message: unknown): void {
    if (!isRelayMessage(message)) return;
    const from = this.workers.get(id);
    if (!from) return;
    if (message.kvk === "log-clients") {
      from[message.stream] = message.count;
      for (const other of this.workers.keys()) if (other !== id) this.sendRemote(other, message.stream);
    } else if (message.kvk === "log-line") {
      for (const [other, w] of this.workers) {
        if (other !== id && w[message.stream] > 0) safeSend(w.channel, message);
      }
    }
  }

  private sendRemote(id: number, stream: StreamName): void {
    let count = 0;
    for (const [other, w] of this.workers) if (other !== id) count += w[stream];
    const w = this.workers.get(id);
    if (w) safeSend(w.channel, { kvk: "log-remote", stream, count });
  }
}

function safeSend(channel: Channel, message: RelayMessage): void {
  try {
    channel.send(message);
  } catch {
    // the worker is exiting; its exit removes it
  }
}
