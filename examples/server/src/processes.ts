/**
 * @module processes
 * `--processes N` (`TRIBUTARY_PROCESSES`): N copies of the server sharing one port, through
 * node:cluster, supervised by the process that was started. One Node process serves HTTP on one core;
 * on a machine with more, an API role that must take every request it can leaves the others idle
 * (bench/README.md, "Ingest"). The copies are ordinary processes of the role: everything they share
 * goes through the engines, which is why this needs shared engines (PostgreSQL, Redis, NATS,
 * RabbitMQ) and is refused on the embedded ones, which belong to one process.
 *
 * The supervisor restarts a copy that exits unexpectedly (after `restartDelayMs`), gives up when
 * copies keep dying (`maxRestarts` within `restartWindowMs`: a bad configuration, not bad luck), and
 * on SIGTERM or SIGINT stops every copy, waits for their graceful shutdown, then exits.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.js';

/** Options of {@link superviseProcesses}. */
export interface SupervisorOptions {
  /** Copies to run (≥ 2 to be worth a supervisor). */
  count: number;
  log: Logger;
  /** Wait before restarting a copy that died. @default 1000 */
  restartDelayMs?: number;
  /** Restarts allowed within `restartWindowMs` before the supervisor gives up. @default 5 */
  maxRestarts?: number;
  /** @default 60000 */
  restartWindowMs?: number;
  /** How long copies get to stop before they are killed. @default 20000 */
  stopTimeoutMs?: number;
  /** Ends the supervisor (tests replace it). @default process.exit */
  exit?: (code: number) => void;
}

/** A running supervisor. */
export interface Supervisor {
  /** Stops every copy (SIGTERM, then SIGKILL past the timeout); resolves once all have exited. */
  stop(): Promise<void>;
  /** Process ids of the running copies. */
  pids(): number[];
}

/**
 * Forks `count` copies of this program (same script, arguments and Node options; cluster shares the
 * listening port, a port of 0 included) and keeps them running. Call it in the primary only.
 */
export function superviseProcesses(options: SupervisorOptions): Supervisor {
  const { count, log } = options;
  const restartDelayMs = options.restartDelayMs ?? 1000;
  const maxRestarts = options.maxRestarts ?? 5;
  const restartWindowMs = options.restartWindowMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 20_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const workers = new Set<Worker>();
  const restarts: number[] = [];
  let stopping: Promise<void> | undefined;

  const fork = () => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.on('exit', (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && restarts[0]! < now - restartWindowMs) restarts.shift();
      if (restarts.length > maxRestarts) {
        log.error({ pid: worker.process.pid, code, signal, restarts: restarts.length, withinMs: restartWindowMs }, 'server processes keep exiting; giving up');
        void supervisor.stop().then(() => exit(1));
        return;
      }
      log.error({ pid: worker.process.pid, code, signal, restartInMs: restartDelayMs }, 'a server process exited; restarting it');
      setTimeout(() => {
        if (!stopping) fork();
      }, restartDelayMs);
    });
  };

  const supervisor: Supervisor = {
    stop() {
      stopping ??= (async () => {
        const running = [...workers];
        await Promise.all(
          running.map(
            (worker) =>
              new Promise<void>((resolve) => {
                if (worker.isDead()) return resolve();
                const kill = setTimeout(() => worker.process.kill('SIGKILL'), stopTimeoutMs);
                worker.once('exit', () => {
                  clearTimeout(kill);
                  resolve();
                });
                worker.process.kill('SIGTERM');
              }),
          ),
        );
      })();
      return stopping;
    },
    pids: () => [...workers].flatMap((w) => (w.process.pid === undefined ? [] : [w.process.pid])),
  };

  for (let i = 0; i < count; i++) fork();
  log.info({ processes: count, pids: supervisor.pids() }, 'supervising server processes');
  return supervisor;
}
