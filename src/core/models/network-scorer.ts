/**
 * The scorer and frame viewer shared by the network families (models/vae and models/vq-vae): their
 * ONNX scoring graphs have the same outputs (export-vae.ts; export-vq.ts adds codes), run in
 * onnxruntime-node. Components come from engine/components.ts; a kind's extras (a mixture prior, a
 * conditional model's earlier frames, the latent size) are given when it is opened.
 */
import { AppError } from '../../shared/envelope.js';
import { describeKind } from '../../shared/model-kinds.js';
import { type RawComponents, batchComponents, toScoreRows } from '../engine/components.js';
import { earlierIndices, stackFrames } from '../engine/frames.js';
import type { DiagGmm } from '../ml/family/mixture.js';
import { InvalidModelError, OnnxVaeScorer, type VaeScores } from '../ml/onnx/runtime.js';
import type { Calibration } from '../scoring/calibrate.js';
import type { ComponentCalibration, KindScorer, ScoredBatch } from '../scoring/pass.js';
import type { ScoreRow } from '../store/models.js';
import type { Store } from '../store/store.js';
import { checkViewSize, type FrameModelView, type FrameViewer, toViewBytes } from './frame-view.js';

export interface NetworkScorerOptions {
  /** Size of the latent the graph outputs as mu/logvar (a VQ-VAE: its code dimension). */
  latentDim: number;
  /** Earlier frames each frame is scored with (a conditional VAE); 0: none. */
  earlier: number;
  /** A mixture-prior VAE's learned prior: the mixture component, and KL/ELBO against it. */
  gmm: DiagGmm | null;
  threads?: number;
}

export class NetworkScorer implements KindScorer<VaeScores> {
  private prevMu: Float32Array | null = null;
  readonly latentDim: number;
  readonly earlier: number;

  private constructor(private readonly runner: OnnxVaeScorer, private readonly o: NetworkScorerOptions) {
    this.latentDim = o.latentDim;
    this.earlier = o.earlier;
  }

  static async open(onnx: Uint8Array, o: NetworkScorerOptions): Promise<NetworkScorer> {
    return new NetworkScorer(await OnnxVaeScorer.create(onnx, o.threads ? { threads: o.threads } : {}), o);
  }

  run(pixels: Uint8Array, count: number): Promise<VaeScores> {
    return this.runner.run(pixels, count);
  }

  components(b: ScoredBatch<VaeScores>, calib: ComponentCalibration): RawComponents[] {
    const L = this.latentDim;
    const raw = batchComponents(b.s, b.count, L, calib, this.prevMu, this.o.gmm, b.motion);
    this.prevMu = b.s.mu.slice((b.count - 1) * L, b.count * L);
    return raw;
  }

  rows(b: ScoredBatch<VaeScores>, raw: RawComponents[], calib: Calibration, combineFrom?: RawComponents[]): ScoreRow[] {
    return toScoreRows(b.first, raw, b.s, this.latentDim, calib, combineFrom);
  }

  latentMeans(b: ScoredBatch<VaeScores>): { mu: Float32Array; dim: number } {
    return { mu: b.s.mu.subarray(0, b.count * this.latentDim), dim: this.latentDim };
  }

  dispose(): Promise<void> {
    return this.runner.dispose();
  }
}

/** A kind's own heatmap from one frame's full graph outputs (FrameModelView.heat), where it has one (vq-pixelcnn). */
export type NetworkHeat = (out: VaeScores, size: number) => FrameModelView['heat'];

/** A network's view of a frame: the scoring graph's recon and err_map outputs (and the kind's own heatmap). */
class NetworkViewer implements FrameViewer {
  /** `earlier`: frames before the shown one the model is conditioned on (0: a plain model). */
  constructor(private readonly modelId: number, private readonly scorer: OnnxVaeScorer, private readonly earlier: number, private readonly heat?: NetworkHeat) {}

  async view(store: Store, videoId: number, index: number): Promise<FrameModelView> {
    const px = store.framePixels(videoId, index);
    checkViewSize(this.modelId, this.scorer.inputSize, px.size);
    // A conditional model predicts the frame from its predecessors (a video's first frames repeat frame 0).
    const input = this.earlier
      ? stackFrames({ data: px.data, count: 1, size: px.size, channels: px.channels }, earlierIndices(index, this.earlier).map((i) => store.framePixels(videoId, i).data))
      : px.data;
    const out = await this.scorer.run(input, 1, { full: true });
    const heat = this.heat?.(out, px.size);
    return { recon: toViewBytes(out.recon!), channels: 3, errMap: out.errMap!, size: px.size, ...(heat ? { heat } : {}) };
  }

  dispose(): Promise<void> {
    return this.scorer.dispose();
  }
}

/** The frame viewer of a network model from its scoring graph; a graph this app cannot run fails with NoReconstructionError. */
export async function openNetworkViewer(modelId: number, kind: string, onnx: Uint8Array, earlier: number, heat?: NetworkHeat): Promise<FrameViewer> {
  try {
    const scorer = await OnnxVaeScorer.create(onnx, { threads: 1 });
    return new NetworkViewer(modelId, scorer, earlier, heat);
  } catch (e) {
    if (e instanceof InvalidModelError) throw new AppError('NoReconstructionError', `Model ${modelId} is a ${describeKind(kind).title}: this model kind has no reconstruction to show.`);
    throw e;
  }
}
