// One process per directory. Two writers appending to one journal would interleave frames and each
// would hold a different state, so the directory is locked by a file created exclusively (`wx`)
// holding the owner's pid. A lock whose pid is no longer alive was left by a crash and is taken over;
// a lock held by a live process refuses the open with a `conflict` error.
//
// Within one process the pid says nothing (a restarted container often runs as pid 1 again), so
// this process's own locks are tracked here: a lock file with our pid that we do not hold is stale.
import { randomUUID } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createError, isTributaryError } from '@tributary/core/errors';

/** Name of the lock file inside the journal's directory. */
export const LOCK_FILE = 'lock';
/** The `context.reason` of the error when another live process (or adapter) holds the directory. */
export const DIRECTORY_LOCKED = 'directory_locked';

/** Directories locked by this process, by lock file path. */
const heldHere = new Set<string>();

/** A held lock. */
export interface DirectoryLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user; still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory's lock. Two processes taking over the same stale lock at the same instant
 * could both succeed (unlink and create are two steps); a stale lock only exists after a crash, and
 * the restart that follows is one process, so this is left at that. `kind` names the owner in
 * errors (`'file queue'`).
 */
export async function lockDirectory(directory: string, component: string, kind: string): Promise<DirectoryLock> {
  const path = join(directory, LOCK_FILE);
  const token = `${process.pid}\n${randomUUID()}\n`;
  const refuse = (owner: string) =>
    createError(component, 'conflict', `${directory} is in use by ${owner}: one process per directory (dispose the other ${kind}, or use another directory)`, {
      context: { reason: DIRECTORY_LOCKED, directory },
    });
  if (heldHere.has(path)) throw refuse(`another ${kind} of this process`);
  // Reserved before the first await, so a second adapter of this process opening at the same time is refused here.
  heldHere.add(path);
  try {
    return await acquire(path, token, refuse);
  } catch (error) {
    heldHere.delete(path);
    if (isTributaryError(error)) throw error;
    throw createError(component, 'unavailable', `could not lock ${directory}: ${(error as Error).message}`, { cause: error });
  }
}

async function acquire(path: string, token: string, refuse: (owner: string) => Error): Promise<DirectoryLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(token);
      } finally {
        await handle.close();
      }
      return {
        async release() {
          heldHere.delete(path);
          // Only our own lock: never remove one a later owner took after ours was judged stale.
          const content = await readFile(path, 'utf8').catch(() => undefined);
          if (content === token) await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let pid = await ownerOf(path);
    // No pid yet: its writer is between create and write, or died there. Give it a moment to tell.
    if (pid === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      pid = await ownerOf(path);
    }
    // Our own pid in a lock this process does not hold: left by an earlier process that had our pid.
    const stale = pid === undefined || (pid !== process.pid && !alive(pid));
    if (!stale) throw refuse(`process ${pid}`);
    await unlink(path).catch(() => undefined);
  }
  throw refuse('another process (it took the lock at the same time)');
}

async function ownerOf(path: string): Promise<number | undefined> {
  const content = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
