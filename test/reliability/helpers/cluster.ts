/**
 * The reference server split into roles, as separate processes on shared engines: one `api`, and
 * `workers` worker and `dispatchers` dispatcher processes, each started from role-process.ts. Any of
 * them can be SIGKILLed and started again on the same port; their output goes to log files in a
 * temporary directory, kept when a run fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '@tributary/core/crypto';

const ENTRY = join(import.meta.dirname, 'role-process.ts');
const SERVER_DIR = join(import.meta.dirname, '../../../examples/server');

export type ClusterRole = 'all' | 'api' | 'worker' | 'dispatcher';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** One server process. */
export interface Member {
  readonly name: string;
  readonly role: ClusterRole;
  readonly port: number;
  readonly url: string;
  /** The running child's pid (changes at each restart). */
  readonly pid: number | undefined;
  /** Started and listening (not while starting). */
  readonly running: boolean;
  /** Starts the process and resolves once it listens. */
  start(): Promise<void>;
  /** SIGKILL: no shutdown, nothing acknowledged, leases left to expire. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  starts: number;
}

export interface ClusterOptions {
  /** Environment of every process (engine URLs, target host allowance…). */
  env: Record<string, string>;
  workers?: number;
  dispatchers?: number;
  /** One process with every role instead of the split. */
  single?: boolean;
  label: string;
  /** Extra node flags of every process (e.g. `--heapsnapshot-signal=SIGUSR2`). */
  nodeArgs?: string[];
  /** Every chunk a process writes (stdout and stderr), besides its log file. */
  onOutput?: (member: string, chunk: string) => void;
}

export interface Cluster {
  readonly adminToken: string;
  readonly members: Member[];
  readonly api: Member;
  readonly logDir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Removes the logs (call when the run passed). */
  cleanup(): void;
}

/** Creates (does not start) a cluster. */
export function createCluster(options: ClusterOptions): Cluster {
  const logDir = mkdtempSync(join(tmpdir(), `tributary-reliability-${options.label}-`));
  // The server creates its data directory only when it generates secrets there (a bug, reported);
  // with both secrets given, the embedded PGlite engine needs it to exist.
  mkdirSync(join(logDir, 'data'), { recursive: true });
  const adminToken = `reliability-admin-${randomUUID()}`;
  const env: Record<string, string> = {
    ...process.env,
    TRIBUTARY_ADMIN_TOKEN: adminToken,
    TRIBUTARY_SECRET_KEY: generateKey(),
    TRIBUTARY_DATA_DIR: join(logDir, 'data'),
    TRIBUTARY_RATE_LIMIT: '0',
    TRIBUTARY_DEMO: 'false',
    LOG_LEVEL: process.env.RELIABILITY_LOG_LEVEL ?? 'warn',
    ...options.env,
  } as Record<string, string>;
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;

  const member = (name: string, role: ClusterRole, port: number): Member => {
    let child: ChildProcess | undefined;
    let log: WriteStream | undefined;
    let listening = false;
    const self: Member = {
      name,
      role,
      port,
      url: `http://127.0.0.1:${port}`,
      starts: 0,
      get pid() {
        return child?.pid;
      },
      get running() {
        return listening && child !== undefined && child.exitCode === null && child.signalCode === null;
      },
      async start() {
        self.starts++;
        log ??= createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
        log.write(`--- start #${self.starts} at ${new Date().toISOString()}\n`);
        const c = spawn(process.execPath, [...(options.nodeArgs ?? []), '--conditions=@tributary/source', '--import', 'tsx', ENTRY, '--role', role], {
          cwd: SERVER_DIR,
          env: { ...env, PORT: String(port) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = c;
        await new Promise<void>((resolve, reject) => {
          let out = '';
          const timer = setTimeout(() => reject(new Error(`${name} did not start within 90 s; log in ${logDir}`)), 90_000);
          const onData = (chunk: Buffer) => {
            log?.write(chunk);
            options.onOutput?.(name, chunk.toString());
            if (out.length < 100_000) out += chunk.toString();
            if (/listening on http/.test(out)) {
              clearTimeout(timer);
              listening = true;
              out = 'started';
              resolve();
            }
          };
          c.stdout!.on('data', onData);
          c.stderr!.on('data', onData);
          c.once('exit', (code, signal) => {
            listening = false;
            log?.write(`--- exit code=${code} signal=${signal} at ${new Date().toISOString()}\n`);
            clearTimeout(timer);
            if (out !== 'started') reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${out.slice(-4000)}`));
          });
        });
      },
      async kill() {
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGKILL');
        await exited;
      },
      async stop() {
        const c = child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      },
    };
    return self;
  };

  const members: Member[] = [];
  let ready: Promise<void> | undefined;
  const cluster: Cluster = {
    adminToken,
    members,
    get api() {
      return members[0]!;
    },
    logDir,
    async start() {
      ready ??= (async () => {
        if (options.single) {
          members.push(member('all', 'all', await freePort()));
        } else {
          members.push(member('api', 'api', await freePort()));
          for (let i = 0; i < (options.workers ?? 2); i++) members.push(member(`worker-${i + 1}`, 'worker', await freePort()));
          for (let i = 0; i < (options.dispatchers ?? 2); i++) members.push(member(`dispatcher-${i + 1}`, 'dispatcher', await freePort()));
        }
        // The first process migrates the schema; the others then start side by side.
        await members[0]!.start();
        await Promise.all(members.slice(1).map((m) => m.start()));
      })();
      await ready;
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
    },
    cleanup() {
      rmSync(logDir, { recursive: true, force: true });
    },
  };
  return cluster;
}
