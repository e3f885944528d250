/**
 * A model's view of one stored frame, for every kind: its reconstruction and per-pixel squared error.
 *   networks (vae, ae, vae-gp, vq-vae, ...)  the ONNX scoring graph's recon and err_map outputs
 *   cvae                                     the same, fed the frame together with its predecessor
 *   pca                                      the gray frame projected onto the principal components
 *   bgdiff                                   the median background picture
 * Baselines work in gray, so their reconstruction is a gray picture and their error is gray too.
 * A graph this app cannot run (a kind it does not know) fails with NoReconstructionError.
 */
import { AppError } from '../../shared/envelope.js';
import { describeKind } from '../../shared/model-kinds.js';
import { BASELINE_KINDS } from '../engine/baseline-model.js';
import { earlierIndices, stackFrames } from '../engine/frames.js';
import type { BgDiffModel, PcaModel } from '../eval/baselines.js';
import { toGray } from '../eval/baselines.js';
import { InvalidModelError, OnnxVaeScorer } from '../ml/onnx/runtime.js';
import { getModel, modelBlobs } from '../store/models.js';
import type { ModelKind } from '../../shared/domain.js';
import type { Store } from '../store/store.js';

export interface FrameModelView {
  /** The reconstruction, uint8, `channels` per pixel (3: RGB; 1: gray for the gray baselines). */
  recon: Uint8Array;
  channels: 1 | 3;
  /** Squared error per pixel (averaged over channels), in 0..1 intensity units squared. */
  errMap: Float32Array;
  size: number;
}

/** Something that shows a model's view of stored frames; kept open while the analyst looks at that model. */
export interface FrameViewer {
  view(store: Store, videoId: number, index: number): Promise<FrameModelView>;
  dispose(): Promise<void>;
}

const toBytes = (v: ArrayLike<number>): Uint8Array => Uint8Array.from(v as ArrayLike<number>, (x) => Math.round(Math.min(1, Math.max(0, x)) * 255));

function checkSize(modelId: number, inputSize: number, frameSize: number): void {
  if (inputSize !== frameSize) throw new AppError('FrameSizeError', `Model ${modelId} takes ${inputSize}x${inputSize} frames; this video is stored at ${frameSize}x${frameSize}.`);
}

class NetworkViewer implements FrameViewer {
  /** `earlier`: frames before the shown one the model is conditioned on (0: a plain model). */
  constructor(private readonly modelId: number, private readonly scorer: OnnxVaeScorer, private readonly earlier: number) {}

  async view(store: Store, videoId: number, index: number): Promise<FrameModelView> {
    const px = store.framePixels(videoId, index);
    checkSize(this.modelId, this.scorer.inputSize, px.size);
    // A conditional model predicts the frame from its predecessors (a video's first frames repeat frame 0).
    const input = this.earlier
      ? stackFrames({ data: px.data, count: 1, size: px.size, channels: px.channels }, earlierIndices(index, this.earlier).map((i) => store.framePixels(videoId, i).data))
      : px.data;
    const out = await this.scorer.run(input, 1, { full: true });
    return { recon: toBytes(out.recon!), channels: 3, errMap: out.errMap!, size: px.size };
  }

  dispose(): Promise<void> {
    return this.scorer.dispose();
  }
}

class BaselineViewer implements FrameViewer {
  constructor(private readonly modelId: number, private readonly model: PcaModel | BgDiffModel) {}

  async view(store: Store, videoId: number, index: number): Promise<FrameModelView> {
    const px = store.framePixels(videoId, index);
    checkSize(this.modelId, this.model.size, px.size);
    const gray = toGray({ data: px.data, count: 1, size: px.size, channels: px.channels }).data;
    const recon = this.model.kind === 'pca' ? pcaProjection(this.model, gray) : Float64Array.from(this.model.median);
    const errMap = new Float32Array(gray.length);
    for (let p = 0; p < gray.length; p++) errMap[p] = (gray[p]! - recon[p]!) ** 2;
    return { recon: toBytes(recon), channels: 1, errMap, size: px.size };
  }

  async dispose(): Promise<void> {}
}

/** mean + U Uᵀ (x − mean): the gray frame as the k principal components see it. */
export function pcaProjection(m: PcaModel, gray: ArrayLike<number>): Float64Array {
  const d = m.size * m.size;
  const r = new Float64Array(d);
  for (let p = 0; p < d; p++) r[p] = gray[p]! - m.mean[p]!;
  const out = Float64Array.from(m.mean);
  for (let j = 0; j < m.k; j++) {
    let c = 0;
    for (let p = 0, o = j * d; p < d; p++, o++) c += m.components[o]! * r[p]!;
    for (let p = 0, o = j * d; p < d; p++, o++) out[p]! += c * m.components[o]!;
  }
  return out;
}

/** The viewer for a ready model of any kind. */
export async function openFrameViewer(store: Store, modelId: number): Promise<FrameViewer> {
  const m = getModel(store, modelId);
  const blobs = modelBlobs(store, modelId);
  if (BASELINE_KINDS.includes(m.kind as ModelKind)) {
    const fitted = JSON.parse(new TextDecoder().decode(blobs.weights)) as PcaModel | BgDiffModel;
    return new BaselineViewer(modelId, fitted);
  }
  try {
    const scorer = await OnnxVaeScorer.create(blobs.onnx, { threads: 1 });
    return new NetworkViewer(modelId, scorer, (m.config as { conditionFrames?: number } | null)?.conditionFrames ?? 0);
  } catch (e) {
    if (e instanceof InvalidModelError) throw new AppError('NoReconstructionError', `Model ${modelId} is a ${describeKind(m.kind).title}: this model kind has no reconstruction to show.`);
    throw e;
  }
}
