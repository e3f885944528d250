/**
 * The classical baselines as model kinds ('pca': reconstruction error after projecting on the 16
 * leading principal components; 'bgdiff': mean absolute difference from the per-pixel median), fitted
 * by train.ts, exported by ml/onnx/export-baseline.ts and scored through the same pass as the networks,
 * so they are selectable and compared on the same footage. Their weights are the fitted model as JSON.
 */
import { rasterizeIgnoreMask } from '../../../shared/ignore-mask.js';
import { describeKind } from '../../../shared/model-kinds.js';
import type { BgDiffModel, PcaModel } from '../../eval/baselines.js';
import { exportBaselineToOnnx } from '../../ml/onnx/export-baseline.js';
import type { ModelKindDriver } from '../driver.js';
import type { BaselineModel } from '../records.js';
import { BaselineScorer, BaselineViewer } from './scorer.js';
import { BGDIFF_FIT, type BaselineFit, PCA_FIT, trainBaselineModel } from './train.js';

const fittedOf = (weights: Uint8Array): PcaModel | BgDiffModel => JSON.parse(new TextDecoder().decode(weights)) as PcaModel | BgDiffModel;

function baselineDriver(b: BaselineFit): ModelKindDriver<BaselineModel> {
  const info = describeKind(b.kind);
  return {
    kind: b.kind,
    info,
    scoreComponents: ['recon', 'combined'],
    combination: { recon: 'upper' },
    canFineTune: info.fineTune === null,
    canGenerate: { priorSamples: info.priorSamples === null, traversal: info.traversal === null },
    trainOptions: [],
    traversalFromPrior: info.traversalFromPrior === true,
    importanceWeighted: false,
    train: (store, o, hooks) => trainBaselineModel(store, b, o, hooks),
    exportOnnx: (model, weights) => {
      const mask = model.config.ignoreMask;
      return exportBaselineToOnnx(fittedOf(weights), mask ? rasterizeIgnoreMask(mask, mask.size) : undefined);
    },
    openScorer: (model, onnx, o) => BaselineScorer.open(onnx, model.config.inputSize, o?.threads),
    openFrameViewer: async (model, blobs) => new BaselineViewer(model.id, fittedOf(blobs.weights)),
  };
}

export const PCA_DRIVER = baselineDriver(PCA_FIT);
export const BGDIFF_DRIVER = baselineDriver(BGDIFF_FIT);
