/**
 * The classical baselines (eval/baselines.ts) as ONNX scorers, so 'pca' and 'bgdiff' are model kinds
 * like the networks: trained (fitted), stored, scored with ONNX Runtime.
 *
 * Input `frames`: uint8 [N, S, S, 3] NHWC. Output `score` [N]:
 *   gray  = (0.299 R + 0.587 G + 0.114 B) / 255                     (as toGray)
 *   pca   : r = gray − mean;  score = mean_p (r − Uᵀ(U r))²          (U: k × D components)
 *   bgdiff: score = mean_p |gray − median|
 *
 * With an ignore mask (S·S bytes, 1 = ignored; the model must have been fitted on frames whose
 * ignored pixels were zeroed the same way, models/baseline/train.ts), gray is zeroed at ignored pixels and
 * the mean runs over observed pixels only. Without one the graph is what it always was.
 */
import type { BgDiffModel, PcaModel } from '../../eval/baselines.js';
import { ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET } from './export-vae.js';
import { attr, DataType, OnnxGraphBuilder } from './proto.js';

export const BASELINE_OUTPUT = 'score';

export function exportBaselineToOnnx(model: PcaModel | BgDiffModel, ignoreMask?: Uint8Array): Uint8Array {
  const S = model.size;
  const D = S * S;
  if (ignoreMask && ignoreMask.length !== D) throw new RangeError(`an ignore mask for ${S}x${S} frames has ${D} values, not ${ignoreMask.length}`);
  let observedCount = D;
  if (ignoreMask) for (const v of ignoreMask) observedCount -= v ? 1 : 0;
  if (observedCount === 0) throw new RangeError('the ignore mask covers every pixel: there is nothing left to score');
  const masked = observedCount < D;
  const g = new OnnxGraphBuilder(`latentwatch_${model.kind}`);
  const frames = g.addInput(ONNX_INPUT, DataType.UINT8, ['N', S, S, 3], 'video frames, uint8 NHWC');
  const f = g.op('Cast', [frames], { to: attr.int(DataType.FLOAT) });
  const flat = g.op('Reshape', [f, g.constInt64('shape_pix', [0, D, 3])]);
  const grayAll = g.op('Reshape', [g.op('MatMul', [flat, g.constFloat('luma', [0.299 / 255, 0.587 / 255, 0.114 / 255], [3, 1])]), g.constInt64('shape_gray', [0, D])], {}, masked ? 'gray_all' : 'gray');
  const gray = masked ? g.op('Mul', [grayAll, g.addInitializer('observed', [D], Float32Array.from(ignoreMask!, (v) => (v ? 0 : 1)))], {}, 'gray') : grayAll;
  // Mean over observed pixels: the mean over all D (ignored ones contribute 0) times D / observed.
  const meanObserved = (x: string): void => {
    if (!masked) {
      g.op('ReduceMean', [x], { axes: attr.ints([1]), keepdims: attr.int(0) }, BASELINE_OUTPUT);
      return;
    }
    const m = g.op('ReduceMean', [x], { axes: attr.ints([1]), keepdims: attr.int(0) }, 'score_all');
    g.op('Mul', [m, g.constFloat('observed_scale', [D / observedCount], [])], {}, BASELINE_OUTPUT);
  };
  if (model.kind === 'pca') {
    const r = g.op('Sub', [gray, g.addInitializer('pca.mean', [D], Float32Array.from(model.mean))], {}, 'centred');
    let resid = r;
    if (model.k > 0) {
      const u = Float32Array.from(model.components); // [k, D]
      const ut = new Float32Array(D * model.k); // [D, k]
      for (let j = 0; j < model.k; j++) for (let p = 0; p < D; p++) ut[p * model.k + j] = u[j * D + p]!;
      const c = g.op('MatMul', [r, g.addInitializer('pca.components_t', [D, model.k], ut)], {}, 'coefficients');
      resid = g.op('Sub', [r, g.op('MatMul', [c, g.addInitializer('pca.components', [model.k, D], u)])], {}, 'residual');
    }
    meanObserved(g.op('Mul', [resid, resid]));
  } else {
    const diff = g.op('Abs', [g.op('Sub', [gray, g.addInitializer('bgdiff.median', [D], Float32Array.from(model.median))])]);
    meanObserved(diff);
  }
  g.addOutput(BASELINE_OUTPUT, DataType.FLOAT, ['N'], model.kind === 'pca' ? 'mean squared PCA residual (gray)' : 'mean |gray − median|');
  return g.toBytes({
    opset: ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    producerName: 'latentwatch',
    producerVersion: '0.1.0',
    docString: `LatentWatch ${model.kind} baseline scorer (frames uint8 NHWC -> score)`,
    metadata: { 'latentwatch.format': `latentwatch-${model.kind}/1` },
  });
}
