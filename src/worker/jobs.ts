/** What each job kind does inside the worker. */
import type { JobProgress } from '../shared/domain.js';
import type { JobSpec } from '../shared/worker-protocol.js';
import { ingestVideo } from '../core/media/ingest.js';
import { Store } from '../core/store/store.js';

export interface JobContext {
  signal: AbortSignal;
  onProgress: (p: JobProgress) => void;
}

export async function runJob(spec: JobSpec, ctx: JobContext): Promise<unknown> {
  switch (spec.kind) {
    case 'ingest': {
      const store = new Store(spec.dbPath);
      try {
        return await ingestVideo(store, spec.path, spec.options, ctx);
      } finally {
        store.close();
      }
    }
  }
}
