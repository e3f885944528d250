/**
 * The baselines' scorer and frame view. Their graph gives one number a frame, stored as `recon`; the
 * other components are not computed (stored as 0: the columns are NOT NULL) and the latents are empty.
 * Baselines work in gray, so their reconstruction is a gray picture and their error is gray too.
 */
import type { RawComponents } from '../../engine/components.js';
import { type BgDiffModel, type PcaModel, toGray } from '../../eval/baselines.js';
import { OnnxBaselineScorer } from '../../ml/onnx/baseline-runtime.js';
import { type Calibration, combine } from '../../scoring/calibrate.js';
import type { KindScorer, ScoredBatch } from '../../scoring/pass.js';
import type { ScoreRow } from '../../store/models.js';
import type { Store } from '../../store/store.js';
import { checkViewSize, type FrameModelView, type FrameViewer, toViewBytes } from '../frame-view.js';

const EMPTY = new Float32Array(0);

/** A baseline frame's components: its one score as `recon`, the rest 0. */
const baselineComponents = (score: number): RawComponents => ({ recon: score, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0 });

/** The combined score of a baseline frame's one score. */
export const combineBaseline = (score: number, c: Calibration): number => combine(baselineComponents(score), c);

export class BaselineScorer implements KindScorer<Float32Array> {
  readonly earlier = 0;
  private constructor(private readonly runner: OnnxBaselineScorer) {}

  static async open(onnx: Uint8Array, size: number, threads?: number): Promise<BaselineScorer> {
    return new BaselineScorer(await OnnxBaselineScorer.create(onnx, size, threads));
  }

  run(pixels: Uint8Array, count: number): Promise<Float32Array> {
    return this.runner.run(pixels, count);
  }

  components(b: ScoredBatch<Float32Array>): RawComponents[] {
    return Array.from(b.s.subarray(0, b.count), baselineComponents);
  }

  rows(b: ScoredBatch<Float32Array>, raw: RawComponents[], calib: Calibration): ScoreRow[] {
    return raw.map((r, i) => ({ idx: b.first + i, ...r, combined: combine(r, calib), mu: EMPTY, logvar: EMPTY }));
  }

  dispose(): Promise<void> {
    return this.runner.dispose();
  }
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

/** A baseline's view of a frame: the gray frame projected onto the principal components (pca) or the median background (bgdiff). */
export class BaselineViewer implements FrameViewer {
  constructor(private readonly modelId: number, private readonly model: PcaModel | BgDiffModel) {}

  async view(store: Store, videoId: number, index: number): Promise<FrameModelView> {
    const px = store.framePixels(videoId, index);
    checkViewSize(this.modelId, this.model.size, px.size);
    const gray = toGray({ data: px.data, count: 1, size: px.size, channels: px.channels }).data;
    const recon = this.model.kind === 'pca' ? pcaProjection(this.model, gray) : Float64Array.from(this.model.median);
    const errMap = new Float32Array(gray.length);
    for (let p = 0; p < gray.length; p++) errMap[p] = (gray[p]! - recon[p]!) ** 2;
    return { recon: toViewBytes(recon), channels: 1, errMap, size: px.size };
  }

  async dispose(): Promise<void> {}
}
