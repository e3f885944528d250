/**
 * Generation for the app ("what normal looks like"): prior samples and 2-D latent traversals of a
 * ready model, as PNG data URLs. Kinds that cannot generate are refused with the reason from
 * describeKind. Requests run one at a time (each decodes in chunks that yield to the event loop, so
 * the process keeps answering other calls while a grid is being drawn).
 */
import type { GeneratedSamples, LatentTraversalGrid, SampleRequest, TraversalRequest } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { describeKind, type ModelKindInfo } from '../../shared/model-kinds.js';
import { type DecodedPictures, latentGrid, samplePriorPictures } from '../engine/generate.js';
import { encodePng } from '../media/png.js';
import { getModel } from '../store/models.js';
import type { Store } from '../store/store.js';

export const DEFAULT_SAMPLE_COUNT = 16;
export const DEFAULT_SAMPLE_SEED = 1;
export const DEFAULT_TRAVERSAL_STEPS = 7;
export const DEFAULT_TRAVERSAL_RANGE = 3;

/** PNG data URLs of decoded pictures, one per picture. */
export function picturesToDataUrls(p: DecodedPictures): string[] {
  const channels = p.channels;
  if (channels !== 1 && channels !== 3) throw new RangeError(`pictures with ${channels} channels cannot be PNG-encoded here`);
  const per = p.size * p.size * channels;
  return Array.from({ length: p.count }, (_, i) =>
    `data:image/png;base64,${encodePng(p.pixels.subarray(i * per, (i + 1) * per), p.size, p.size, channels).toString('base64')}`,
  );
}

/** The model, checked ready and able to do `what` (null reason in its kind's description). */
function readyModelFor(store: Store, modelId: number, what: keyof Pick<ModelKindInfo, 'priorSamples' | 'traversal'>) {
  const m = getModel(store, modelId);
  if (m.status !== 'ready') throw new AppError('NotReadyError', `Model ${modelId} is not ready (${m.status}).`);
  const info = describeKind(m.kind);
  const why = info[what];
  if (why !== null) throw new AppError('UnsupportedModelKindError', `Model ${modelId} is a ${info.title}: ${what === 'priorSamples' ? 'no prior samples' : 'no latent traversal'}, because ${why}.`);
  return m;
}

export class ModelGenerator {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly store: Store) {}

  /** Run generation requests one after another: two grids at once would only both be slower. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  samples(modelId: number, o: SampleRequest = {}): Promise<GeneratedSamples> {
    readyModelFor(this.store, modelId, 'priorSamples');
    const count = o.count ?? DEFAULT_SAMPLE_COUNT;
    const seed = o.seed ?? DEFAULT_SAMPLE_SEED;
    return this.serial(async () => {
      const p = await samplePriorPictures(this.store, modelId, count, seed);
      return { modelId, seed, size: p.size, images: picturesToDataUrls(p) };
    });
  }

  traversal(modelId: number, r: TraversalRequest): Promise<LatentTraversalGrid> {
    readyModelFor(this.store, modelId, 'traversal');
    const steps = r.steps ?? DEFAULT_TRAVERSAL_STEPS;
    const range = r.range ?? DEFAULT_TRAVERSAL_RANGE;
    const frame = r.videoId !== undefined && r.index !== undefined ? { videoId: r.videoId, index: r.index } : undefined;
    return this.serial(async () => {
      const g = await latentGrid(this.store, modelId, { dims: r.dims, steps, range, ...(frame ? { frame } : {}) });
      return { modelId, dims: r.dims, steps, size: g.size, colOffsets: g.colOffsets, rowOffsets: g.rowOffsets, centre: g.centre, frame: g.frame, images: picturesToDataUrls(g) };
    });
  }
}
