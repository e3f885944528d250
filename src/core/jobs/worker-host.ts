/**
 * Runs jobs in worker threads: a typed child with a lifecycle. An unexpected exit fails the job with a
 * reason; cancel asks the worker first and terminates it if it does not stop in time.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
// Set ONNX Runtime's telemetry switch in the real environment before any worker can load the library.
import '../ml/onnx/no-telemetry.js';
import type { JobSpec, MainToWorker, WorkerToMain } from '../../shared/worker-protocol.js';
import type { JobRunner, RunHandlers } from './registry.js';

export interface WorkerEntry {
  /** The worker's script. */
  file: string;
  /** Arguments for the worker (process.argv from index 2): the source file when booting through tsx. */
  argv: string[];
}

/**
 * The worker script beside a built entry (out/main/worker.js), or the TypeScript source run through
 * tsx when the caller itself runs from source (tests, `tsx src/cli/index.ts`).
 */
export function workerEntryBeside(importMetaUrl: string): WorkerEntry {
  const here = dirname(fileURLToPath(importMetaUrl));
  const built = join(here, 'worker.js');
  if (!importMetaUrl.endsWith('.ts') && existsSync(built)) return { file: built, argv: [] };
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return { file: resolve(dir, 'scripts/tsx-worker.mjs'), argv: [resolve(dir, 'src/worker/index.ts')] };
}

export const CANCEL_GRACE_MS = 5_000;

export class WorkerJobRunner implements JobRunner {
  constructor(private readonly entry: WorkerEntry) {}

  start(jobId: string, spec: JobSpec, h: RunHandlers): { cancel(): void } {
    const worker = new Worker(this.entry.file, { argv: this.entry.argv, name: `job-${spec.kind}-${jobId.slice(0, 8)}` });
    let settled = false;
    let canceling = false;
    let killTimer: NodeJS.Timeout | null = null;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      fn();
    };
    worker.on('message', (m: WorkerToMain) => {
      if (m.jobId !== jobId) return;
      if (m.type === 'progress') h.onProgress(m.progress);
      else if (m.type === 'succeeded') settle(() => h.onSucceeded(m.result));
      else if (m.type === 'failed') settle(() => h.onFailed(m.error));
      else if (m.type === 'canceled') settle(() => h.onCanceled());
    });
    worker.on('error', (err) => settle(() => h.onFailed({ name: err.name || 'WorkerError', message: `The worker crashed: ${err.message}` })));
    worker.on('exit', (code) =>
      settle(() =>
        canceling ? h.onCanceled() : h.onFailed({ name: 'WorkerExitError', message: `The worker stopped unexpectedly (exit code ${code}) before finishing the job.` }),
      ),
    );
    const send = (m: MainToWorker) => worker.postMessage(m);
    send({ type: 'start', jobId, spec });
    return {
      cancel: () => {
        if (settled || canceling) return;
        canceling = true;
        send({ type: 'cancel', jobId });
        killTimer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
      },
    };
  }
}
