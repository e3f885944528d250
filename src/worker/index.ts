/**
 * Worker thread entry: runs one job at a time as the main side asks, posting progress and one final
 * message. Imports shared contracts and core only (never Electron, main or renderer code).
 */
import { parentPort } from 'node:worker_threads';
import type { JobError } from '../shared/domain.js';
import type { JobSpec, MainToWorker, WorkerToMain } from '../shared/worker-protocol.js';
import { runJob } from './jobs.js';

if (!parentPort) throw new Error('src/worker/index.ts must run as a worker thread');
const port = parentPort;
const controllers = new Map<string, AbortController>();
const post = (m: WorkerToMain) => port.postMessage(m);

async function start(jobId: string, spec: JobSpec): Promise<void> {
  const ac = new AbortController();
  controllers.set(jobId, ac);
  try {
    const result = await runJob(spec, { signal: ac.signal, onProgress: (progress) => post({ type: 'progress', jobId, progress }) });
    post({ type: 'succeeded', jobId, result });
  } catch (e) {
    if (ac.signal.aborted || (e as Error).name === 'AbortError') post({ type: 'canceled', jobId });
    else {
      const err: JobError = { name: (e as Error).name || 'Error', message: (e as Error).message || String(e) };
      post({ type: 'failed', jobId, error: err });
    }
  } finally {
    controllers.delete(jobId);
    if (controllers.size === 0) port.close();
  }
}

port.on('message', (m: MainToWorker) => {
  if (m.type === 'start') void start(m.jobId, m.spec);
  else if (m.type === 'cancel') controllers.get(m.jobId)?.abort();
});
