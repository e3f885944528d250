/**
 * The VAE family's drivers: vae, ae, vae-gp, cvae and gmvae are one conv VAE (ml/vae/spec.ts) with a
 * variant each (variant.ts): trained by train.ts, scored by the shared network scorer, exported by
 * ml/onnx/export-vae.ts, shown through its scoring graph's reconstruction.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelKind } from '../../../shared/domain.js';
import { AppError } from '../../../shared/envelope.js';
import { rasterizeIgnoreMask } from '../../../shared/ignore-mask.js';
import { describeKind } from '../../../shared/model-kinds.js';
import { componentLogJoint } from '../../ml/family/mixture.js';
import { argmax } from '../../ml/family/numeric.js';
import { exportVaeToOnnx } from '../../ml/onnx/export-vae.js';
import { deserializeWeights } from '../../ml/vae/checkpoint.js';
import { loadMixture } from '../../ml/vae/mixture-prior.js';
import { CVAE_COMBINATION, DEFAULT_COMBINATION, GMVAE_COMBINATION, GP_COMBINATION } from '../../scoring/calibrate.js';
import type { ScoreComponent } from '../../store/models.js';
import type { LatentMeansView, ModelKindDriver } from '../driver.js';
import { openNetworkViewer } from '../network-scorer.js';
import type { VaeFamilyModel } from '../records.js';
import { openVaeScorer } from './scorer.js';
import { trainVaeModel } from './train.js';
import type { VaeVariant } from './variant.js';

/** Components every network stores; a kind adds its own (gp, mixture, rarity). */
export const NETWORK_COMPONENTS: readonly ScoreComponent[] = ['recon', 'patch', 'kl', 'nll', 'elbo', 'temporal', 'stillness', 'sharpness', 'motion', 'combined'];

/** A VAE-family model's scoring graph from its stored weights and ignore mask (what its training exported, less the metadata). */
export function exportStoredVae(model: VaeFamilyModel, bytes: Uint8Array): Uint8Array {
  const { weights, config } = deserializeWeights(bytes);
  try {
    if (!config) throw new AppError('StoreError', `Model ${model.id} has no stored config.`);
    const mask = model.config.ignoreMask;
    const arrays = Object.fromEntries(Object.entries(weights).map(([n, t]) => [n, t.dataSync() as Float32Array]));
    return exportVaeToOnnx(config, arrays, { metadata: { modelId: String(model.id) }, ...(mask ? { ignoreMask: rasterizeIgnoreMask(mask, mask.size) } : {}) });
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/** 'gmvae': each frame's most likely mixture component (argmax of the responsibilities of its μ under the stored prior, ml/family/mixture.ts). */
function mixtureClasses(model: VaeFamilyModel, means: LatentMeansView): number[] | null {
  const stored = model.config.mixture;
  if (!stored || stored.dim !== means.dim) return null;
  const g = loadMixture(stored);
  const out = new Array<number>(means.count);
  for (let i = 0; i < means.count; i++) out[i] = argmax(componentLogJoint(g, means.mu, i * means.dim));
  return out;
}

function vaeDriver(v: Omit<VaeVariant, 'title'>, extra: { components?: readonly ScoreComponent[]; importanceWeighted: boolean; frameClasses?: ModelKindDriver<VaeFamilyModel>['frameClasses'] }): ModelKindDriver<VaeFamilyModel> {
  const info = describeKind(v.kind);
  const variant: VaeVariant = { ...v, title: info.title };
  return {
    kind: v.kind,
    info,
    scoreComponents: [...NETWORK_COMPONENTS, ...(extra.components ?? [])],
    combination: v.combination,
    canFineTune: info.fineTune === null,
    canGenerate: { priorSamples: info.priorSamples === null, traversal: info.traversal === null },
    trainOptions: [...(v.conditional ? (['conditionFrames'] as const) : []), ...(v.mixturePrior ? (['mixtureComponents'] as const) : [])],
    traversalFromPrior: info.traversalFromPrior === true,
    importanceWeighted: extra.importanceWeighted,
    train: (store, o, hooks) => trainVaeModel(store, variant, o, hooks),
    exportOnnx: exportStoredVae,
    openScorer: (model, onnx, o) => openVaeScorer(model, onnx, o),
    openFrameViewer: (model, blobs) => openNetworkViewer(model.id, model.kind, blobs.onnx, model.config.conditionFrames ?? 0),
    ...(extra.frameClasses ? { frameClasses: extra.frameClasses } : {}),
  };
}

const plain = (kind: ModelKind) => ({ kind, conditional: false, mixturePrior: false });

export const VAE_DRIVER = vaeDriver({ ...plain('vae'), combination: DEFAULT_COMBINATION }, { importanceWeighted: true });
export const AE_DRIVER = vaeDriver({ ...plain('ae'), objective: 'autoencoder', combination: DEFAULT_COMBINATION }, { importanceWeighted: false });
export const VAE_GP_DRIVER = vaeDriver({ ...plain('vae-gp'), combination: GP_COMBINATION }, { components: ['gp'], importanceWeighted: true });
export const CVAE_DRIVER = vaeDriver({ ...plain('cvae'), conditional: true, combination: CVAE_COMBINATION }, { importanceWeighted: true });
export const GMVAE_DRIVER = vaeDriver(
  { ...plain('gmvae'), mixturePrior: true, combination: GMVAE_COMBINATION },
  // A mixture prior is not centred on 0: a traversal without a frame centres on a frame.
  { components: ['mixture'], importanceWeighted: true, frameClasses: mixtureClasses },
);
