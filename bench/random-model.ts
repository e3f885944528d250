/**
 * A model with random weights and a neutral calibration, stored like a trained one: scoring speed and
 * memory do not depend on what the weights learned, and this skips minutes of training.
 */
import * as tf from '@tensorflow/tfjs';
import { exportVaeToOnnx } from '../src/core/ml/onnx/export-vae.js';
import { serializeWeights } from '../src/core/ml/vae/checkpoint.js';
import { DEFAULT_VAE_CONFIG, initWeights, type VaeConfig } from '../src/core/ml/vae/spec.js';
import { type Calibration, COMBINED_COMPONENTS, DEFAULT_COMBINATION } from '../src/core/scoring/calibrate.js';
import { motionGrid } from '../src/core/scoring/motion.js';
import { fitTail } from '../src/shared/tails.js';
import { createModel, finishModel } from '../src/core/store/models.js';
import type { Store } from '../src/core/store/store.js';

export async function storeRandomModel(store: Store, trainVideoId: number, config: VaeConfig = DEFAULT_VAE_CONFIG): Promise<{ modelId: number; onnx: Uint8Array }> {
  await tf.setBackend('cpu');
  const w = initWeights(config, 7);
  const arrays = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, t.dataSync() as Float32Array]));
  const onnx = exportVaeToOnnx(config, arrays);
  const g = config.inputSize / 8;
  // The current calibration (version 2): tail models for the rule's components, per-patch scales, and
  // so motion (the three-frame difference) is computed as it is for a trained model.
  const sample = Array.from({ length: 200 }, (_, i) => i / 200);
  const m = motionGrid(config.inputSize).grid;
  const calibration: Calibration = {
    version: 2,
    tails: Object.fromEntries(Object.keys(DEFAULT_COMBINATION).map((k) => [k, fitTail(sample)])) as Calibration['tails'],
    patchScale: new Array<number>(g * g).fill(1),
    motionScale: new Array<number>(m * m).fill(1),
    components: Object.fromEntries(COMBINED_COMPONENTS.map((k) => [k, { median: 0, scale: 1 }])) as Calibration['components'],
    rule: DEFAULT_COMBINATION,
    patchMean: new Array<number>(g * g).fill(0),
    patchStd: new Array<number>(g * g).fill(1),
    latentScale: new Array<number>(config.latentDim).fill(1),
    threshold: 1e9,
    lowThreshold: 1e9,
    targetFpr: 0.01,
    sampledFps: 10,
  };
  const modelId = createModel(store, { kind: 'vae', name: 'random (benchmark)', config, trainVideoId });
  finishModel(store, modelId, { weights: serializeWeights(w, config), onnx, calibration, metrics: {}, backend: 'none' });
  tf.dispose(Object.values(w));
  return { modelId, onnx };
}
