/**
 * Kind 'vq-pixelcnn' end to end: the VQ-VAE trained as 'vq-vae' is (vq-vae/train.ts), then the gated
 * PixelCNN prior fitted to the codes of its training split (ml/pixelcnn trainCodePrior: a second
 * progress stage, canceled by the same signal), the VQ scorer with the prior appended as the scoring
 * graph (every VQ output plus code_nll and code_nll_map), calibrated with −log p(codes) as the
 * component `codeNll`, and both networks' weights stored in one blob (weights.ts).
 */
import { pixelCnnConfigFor, trainCodePrior } from '../../ml/pixelcnn/vq-pixelcnn.js';
import { VQ_PIXELCNN_COMBINATION } from '../../scoring/calibrate.js';
import type { Store } from '../../store/store.js';
import { type EngineHooks, TRAIN_DEFAULTS, type TrainModelOptions, type TrainModelResult } from '../training.js';
import { trainVqFamily } from '../vq-vae/train.js';
import { packVqPixelCnnWeights } from './weights.js';

export function trainVqPixelCnnModel(store: Store, o: TrainModelOptions, hooks: EngineHooks = {}): Promise<TrainModelResult> {
  const { arch = {}, ...training } = o.codePrior ?? {};
  return trainVqFamily(store, o, hooks, {
    kind: 'vq-pixelcnn',
    title: 'VQ-VAE + PixelCNN',
    combination: VQ_PIXELCNN_COMBINATION,
    extraConfig: (config) => ({ prior: pixelCnnConfigFor(config, arch), ...(Object.keys(training).length ? { priorTrain: training } : {}) }),
    afterVq: async (vq, train, h) => {
      const t0 = performance.now();
      h.onProgress?.({ done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: `encoding ${train.count} training frames to codes` });
      const prior = await trainCodePrior(vq, train, { arch, ...training, seed: o.seed ?? TRAIN_DEFAULTS.seed }, {
        ...(h.signal ? { signal: h.signal } : {}),
        onProgress: (p) => {
          const total = p.epochs * p.stepsPerEpoch;
          const done = p.epoch * p.stepsPerEpoch + p.step;
          const elapsed = (performance.now() - t0) / 1000;
          h.onProgress?.({ done, total, fraction: done / total, rate: p.framesPerSec, unit: 'steps', rateUnit: 'frames', etaSec: done > 0 ? (elapsed / done) * (total - done) : null, stage: `training the PixelCNN prior over the codes: epoch ${p.epoch + 1}/${p.epochs}, ${p.nll.toFixed(3)} nats a position` });
        },
      });
      const seconds = (performance.now() - t0) / 1000;
      const best = prior.training.history[prior.training.bestEpoch];
      return {
        weights: packVqPixelCnnWeights(vq, prior),
        onnx: prior.scorerOnnx,
        seconds,
        metrics: {
          codePrior: {
            epochs: prior.training.history.length,
            bestEpoch: prior.training.bestEpoch,
            initialNll: prior.training.initialNll,
            nll: best?.valNll ?? best?.nll ?? null,
            trainFramesPerSec: prior.training.framesPerSec,
            trainSeconds: prior.training.seconds,
            encodeFramesPerSec: prior.encodeFramesPerSec,
          },
        },
      };
    },
  });
}
