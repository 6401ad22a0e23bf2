import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded database is one process's at a time: two processes writing the same PGlite directory
 * would corrupt it. A pid file in DATA_DIR says who holds it; a stale one (its process gone) is taken over.
 */
export function claimDataDir(dataDir: string, who: string): () => void {
  mkdirSync(path.resolve(dataDir), { recursive: true });
  const file = path.join(path.resolve(dataDir), 'owner.pid');
  try {
    const [pid, owner] = readFileSync(file, 'utf8').trim().split(' ');
    if (pid && Number(pid) !== process.pid && alive(Number(pid))) {
      throw new Error(
        `the embedded database in ${dataDir} is in use by ${owner ?? 'another process'} (pid ${pid}); stop it first, or use DATABASE_URL`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(file, `${process.pid} ${who}\n`);
  return () => {
    try {
      if (readFileSync(file, 'utf8').startsWith(`${process.pid} `)) rmSync(file);
    } catch {
      // Already gone.
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
