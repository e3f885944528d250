/** Rows a process is still writing (a video being imported, a model training, a scoring) name it as their owner. */

/** This process, as recorded on rows it is still writing. */
export const OWNER = `${process.pid}`;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
