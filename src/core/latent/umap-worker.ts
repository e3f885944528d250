/**
 * UMAP layouts computed in a worker thread. A UMAP fit is seconds of uninterrupted CPU (umap-js's
 * optimisation does not yield) and the main process also answers every IPC call and media request:
 * in a worker the app stays responsive while the layout is made. Each request gets its own short-lived
 * worker (the job runner's lifecycle: an unexpected exit rejects with a reason).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../shared/envelope.js';
import { type WorkerEntry, WorkerJobRunner } from '../jobs/worker-host.js';
import type { Projected, UmapOptions } from './projection.js';

/** Lays out a video's latent means under a model; resolves with the 2-D coordinates. */
export type UmapRunner = (modelId: number, videoId: number) => Promise<Projected>;

export function umapInWorker(entry: WorkerEntry, dbPath: string, options: Omit<UmapOptions, 'sliceMs'> = {}): UmapRunner {
  const runner = new WorkerJobRunner(entry);
  return (modelId, videoId) =>
    new Promise<Projected>((resolve, reject) => {
      runner.start(`umap-${randomUUID()}`, { kind: 'project-umap', dbPath, modelId, videoId, options }, {
        onProgress: () => {},
        onSucceeded: (result) => resolve(result as Projected),
        onFailed: (e) => reject(new AppError(e.name, e.message)),
        onCanceled: () => reject(new AppError('CanceledError', 'The UMAP layout was stopped before it finished.')),
      });
    });
}
