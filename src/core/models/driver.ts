/**
 * The one interface every model kind implements (a driver), so that training, scoring, the API and
 * the CLI ask the registry (registry.ts) instead of comparing kind names. A family of kinds lives in
 * one folder under src/core/models/ (vae/: vae, ae, vae-gp, cvae, gmvae; vq-vae/; vq-pixelcnn/; baseline/: pca,
 * bgdiff) with its training, export, scorer and frame view; adding a kind is one folder (or one
 * driver in a family's folder) plus one line in registry.ts.
 */
import type { ModelKind } from '../../shared/domain.js';
import type { ModelKindInfo } from '../../shared/model-kinds.js';
import type { CombinationRule } from '../scoring/calibrate.js';
import type { KindScorer } from '../scoring/pass.js';
import type { ScoreComponent } from '../store/models.js';
import type { Store } from '../store/store.js';
import type { FrameViewer } from './frame-view.js';
import type { ParsedModel } from './records.js';
import type { EngineHooks, TrainModelOptions, TrainModelResult } from './training.js';

/** A model's stored blobs: its weights as the kind packed them, and its ONNX scoring graph. */
export interface ModelBlobs {
  weights: Uint8Array;
  onnx: Uint8Array;
}

/** Decoded pictures: [count, size, size, channels] uint8. */
export interface GeneratedPictures {
  pixels: Uint8Array;
  size: number;
  channels: number;
}

/** The latent means of a video's frames, as projection.ts reads them. */
export interface LatentMeansView {
  mu: Float32Array;
  dim: number;
  count: number;
}

/** Training options only some kinds read. */
export type KindOption = 'conditionFrames' | 'mixtureComponents';

/** `M`: the stored models of its kind(s) (records.ts), as the registry hands them to it. */
export interface ModelKindDriver<M extends ParsedModel = ParsedModel> {
  readonly kind: ModelKind;
  /**
   * How the UI describes the kind (shared/model-kinds.ts, the renderer's copy of the same facts):
   * title, what it can show and why not. canFineTune and canGenerate below are derived from it.
   */
  readonly info: ModelKindInfo;
  /** Stored score components this kind fills (engine/components.ts RawComponents; the rest are 0/null). */
  readonly scoreComponents: readonly ScoreComponent[];
  /** The rule its components are combined with unless training is given another (scoring/calibrate.ts). */
  readonly combination: CombinationRule;
  /** Whether a new version can be fine-tuned from a model of this kind (the app, the CLI and the engine all ask this). */
  readonly canFineTune: boolean;
  /** Whether its decoder draws prior samples / decodes latent traversals (engine/generate.ts). */
  readonly canGenerate: { readonly priorSamples: boolean; readonly traversal: boolean };
  /** The kind-specific training options it reads (registry kindTakesOption: the CLI refuses the others). */
  readonly trainOptions: readonly KindOption[];
  /** A traversal without a chosen frame centres on the prior's mean (0) rather than on a frame of the training video. */
  readonly traversalFromPrior: boolean;
  /** Whether the importance-weighted bound of log p(x) (engine/iw-scores.ts) applies. */
  readonly importanceWeighted: boolean;
  /**
   * Train (or fit) a new model on a stored video, export its scoring graph, calibrate it on held-out
   * frames through the scoring pass, and store it. A fine-tune (o.parentModelId) reaches only kinds that canFineTune.
   */
  train(store: Store, o: TrainModelOptions, hooks: EngineHooks): Promise<TrainModelResult>;
  /** The ONNX scoring graph of a stored model, rebuilt from its weights and config (the graph training stores). */
  exportOnnx(model: M, weights: Uint8Array): Uint8Array;
  /** A scorer for the one scoring pass (scoring/pass.ts) from the model's stored graph. */
  openScorer(model: M, onnx: Uint8Array, o?: { threads?: number }): Promise<KindScorer>;
  /** The model's view of stored frames (reconstruction and error map) for the frame view. */
  openFrameViewer(model: M, blobs: ModelBlobs): Promise<FrameViewer>;
  /**
   * Pictures drawn from the model's prior (seeded), for kinds whose prior is not the VAE family's
   * N(0, I) over a decoder's latent (engine/generate.ts: absent, it decodes z ~ N(0, I) or a mixture).
   */
  samplePrior?(model: M, weights: Uint8Array, o: { count: number; seed: number }): GeneratedPictures;
  /** Each frame's class (mixture component) for the latent scatter, or null for kinds without classes. */
  frameClasses?(model: M, means: LatentMeansView): number[] | null;
}
