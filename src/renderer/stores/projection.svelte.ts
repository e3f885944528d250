/**
 * The latent scatter's projection for the review page: loads one per model, video and method, newest
 * request wins; another method of the same scores keeps the old picture (marked as updating) until
 * the new one arrives. The method chosen is remembered (localStorage), so a reload keeps UMAP.
 */
import type { AppApi } from '../../shared/api.js';
import type { LatentProjection, ProjectionMethod } from '../../shared/domain.js';
import { errorMessage } from '../lib/api/errorMessage.js';
import { NewestRequest } from '../lib/api/newestRequest.js';

const METHOD_KEY = 'latentwatch.scatter.method';

function storedMethod(): ProjectionMethod {
  try {
    const m = globalThis.localStorage?.getItem(METHOD_KEY);
    return m === 'umap' || m === 'pca' ? m : 'pca';
  } catch {
    return 'pca';
  }
}

export class ProjectionStore {
  #method = $state<ProjectionMethod>(storedMethod());
  projection = $state.raw<LatentProjection | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  readonly #newest = new NewestRequest();

  constructor(private readonly api: Pick<AppApi, 'getLatentProjection'>) {}

  get method(): ProjectionMethod {
    return this.#method;
  }

  set method(m: ProjectionMethod) {
    this.#method = m;
    try {
      globalThis.localStorage?.setItem(METHOD_KEY, m);
    } catch {
      // Private mode: the choice lasts this session only.
    }
  }

  /** Load the projection; returns true when the picture was cleared (another model or video: drop a lasso). */
  load(modelId: number | null, videoId: number | null, scored: boolean, how: ProjectionMethod): boolean {
    const isNewest = this.#newest.start();
    const cleared = this.projection?.modelId !== modelId || this.projection?.videoId !== videoId || !scored;
    if (cleared) this.projection = null;
    this.error = null;
    if (modelId === null || videoId === null || !scored) return cleared;
    this.loading = true;
    this.api
      .getLatentProjection(modelId, videoId, how)
      .then((p) => {
        if (isNewest()) this.projection = p;
      })
      .catch((e: unknown) => {
        if (isNewest()) this.error = errorMessage(e);
      })
      .finally(() => {
        if (isNewest()) this.loading = false;
      });
    return cleared;
  }
}
