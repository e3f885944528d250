/** What each job kind does inside the worker. */
import type { JobProgress } from '../shared/domain.js';
import type { JobSpec } from '../shared/worker-protocol.js';
import { projectUmap, scoredLatentMeans } from '../core/latent/projection.js';
import { scoreVideo } from '../core/engine/score-video.js';
import { trainModel } from '../core/engine/train-model.js';
import { ingestVideo } from '../core/media/ingest.js';
import { Store } from '../core/store/store.js';

export interface JobContext {
  signal: AbortSignal;
  onProgress: (p: JobProgress) => void;
}

async function withStore<T>(dbPath: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = new Store(dbPath);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export async function runJob(spec: JobSpec, ctx: JobContext): Promise<unknown> {
  switch (spec.kind) {
    case 'ingest':
      return withStore(spec.dbPath, (s) => ingestVideo(s, spec.path, spec.options, ctx));
    case 'train':
      return withStore(spec.dbPath, (s) => trainModel(s, { ...spec.options, videoId: spec.videoId, checkpointDir: spec.checkpointDir }, ctx));
    case 'score':
      return withStore(spec.dbPath, (s) => scoreVideo(s, spec.modelId, spec.videoId, ctx));
    case 'project-umap':
      return withStore(spec.dbPath, async (s) => {
        const { x, y, timings } = await projectUmap(scoredLatentMeans(s, spec.modelId, spec.videoId), spec.options);
        return { x, y, timings };
      });
  }
}
