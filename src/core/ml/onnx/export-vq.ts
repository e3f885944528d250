/**
 * The VQ-VAE (../vq/vq-vae.ts) as an ONNX scorer with the same outputs as the VAE's (export-vae.ts),
 * so the scoring pipeline runs it unchanged, plus the codes:
 *   z_e = enc(x) -> per grid position c = argmin_k ‖z_e − e_k‖² = argmin_k (‖e_k‖² − 2 z_e·e_k)
 *   z_q = e_c -> decoder -> recon, err_map, patch_err, recon_mse, nll, sharpness (as the VAE)
 *   mu      [N, D]: z_q averaged over the grid (a continuous summary of the codes, for the latent
 *                   scatter and the latent-step scores)
 *   logvar  [N, D]: zeros (the VQ encoder is deterministic: there is no posterior variance)
 *   kl      [N]   : G²·log K, the KL of the one-hot posterior to a uniform prior over codes (constant)
 *   elbo    [N]   : −(nll + kl)
 *   codes   [N, G²] int64: the code of each grid position (row-major), for code usage and rarity.
 */
import { KERNEL, STRIDE } from '../vae/spec.js';
import { type VqConfig, vqGrid, vqWeightSpecs } from '../vq/vq-vae.js';
import { addMaskedInputOps, addScoreOps, ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, PATCH_SIZE, permute4, samePads, scoreMask, transposeSamePads } from './export-vae.js';
import { attr, DataType, OnnxGraphBuilder } from './proto.js';

export const VQ_CODES_OUTPUT = 'codes';

/** `ignoreMask` (S·S bytes, 1 = ignored): baked in as in exportVaeToOnnx (encoder sees 0 there, scores over observed pixels). */
export function exportVqToOnnx(config: VqConfig, weights: Record<string, Float32Array>, codebook: Float32Array, ignoreMask?: Uint8Array): Uint8Array {
  const specs = new Map(vqWeightSpecs(config).map((s) => [s.name, s.shape]));
  const W = (name: string): Float32Array => {
    const w = weights[name];
    const shape = specs.get(name);
    if (!w || !shape || w.length !== shape.reduce((a, b) => a * b, 1)) throw new RangeError(`VQ weight ${name} missing or of the wrong size`);
    return w;
  };
  const S = config.inputSize;
  const C = config.channels;
  const K = config.codebookSize;
  const { side, dim: D } = vqGrid(config);
  if (codebook.length !== K * D) throw new RangeError(`codebook has ${codebook.length} values, need K·D = ${K * D}`);
  const g = new OnnxGraphBuilder('latentwatch_vq_vae');
  const frames = g.addInput(ONNX_INPUT, DataType.UINT8, ['N', S, S, C], 'video frames, uint8 NHWC');
  const framesNchw = g.op('Transpose', [frames], { perm: attr.ints([0, 3, 1, 2]) }, 'frames_nchw');
  const x = g.op('Div', [g.op('Cast', [framesNchw], { to: attr.int(DataType.FLOAT) }, 'frames_f32'), g.constFloat('c255', [255], [])], {}, 'x');
  const mask = scoreMask(ignoreMask, S);
  let h = addMaskedInputOps(g, S, x, mask);
  let size = S;
  let cin = C;
  config.filters.forEach((f, i) => {
    const k = permute4(W(`enc.conv${i}.kernel`), [KERNEL, KERNEL, cin, f], [3, 2, 0, 1]);
    const [pb, pe] = samePads(size, KERNEL, STRIDE);
    h = g.op('Conv', [h, g.addInitializer(`enc.conv${i}.kernel.oihw`, k.shape, k.data), g.addInitializer(`enc.conv${i}.bias`, [f], W(`enc.conv${i}.bias`))], {
      kernel_shape: attr.ints([KERNEL, KERNEL]),
      strides: attr.ints([STRIDE, STRIDE]),
      pads: attr.ints([pb, pb, pe, pe]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    }, `enc.conv${i}`);
    if (i + 1 < config.filters.length) h = g.op('Relu', [h], {}, `enc.relu${i}`);
    size = Math.ceil(size / STRIDE);
    cin = f;
  });
  // Quantize: nearest code per grid position.
  const ze = g.op('Reshape', [g.op('Transpose', [h], { perm: attr.ints([0, 2, 3, 1]) }, 'ze_nhwc'), g.constInt64('shape_positions', [-1, D])], {}, 'ze_flat');
  const codebookT = new Float32Array(D * K);
  const norms = new Float32Array(K);
  for (let k = 0; k < K; k++)
    for (let j = 0; j < D; j++) {
      codebookT[j * K + k] = codebook[k * D + j]!;
      norms[k] = norms[k]! + codebook[k * D + j]! ** 2;
    }
  const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [ze, g.addInitializer('vq.codebook_t', [D, K], codebookT)]), g.constFloat('c_m2', [-2], [])]), g.addInitializer('vq.code_norms', [K], norms)], {}, 'code_dist');
  const codes = g.op('ArgMin', [scores], { axis: attr.int(1), keepdims: attr.int(0) }, 'codes_flat');
  g.op('Reshape', [codes, g.constInt64('shape_codes', [-1, side * side])], {}, VQ_CODES_OUTPUT);
  const zq = g.op('Reshape', [g.op('Gather', [g.addInitializer('vq.codebook', [K, D], codebook), codes], { axis: attr.int(0) }), g.constInt64('shape_grid', [-1, side, side, D])], {}, 'zq_nhwc');
  g.op('ReduceMean', [zq], { axes: attr.ints([1, 2]), keepdims: attr.int(0) }, 'mu');
  const mu = 'mu';
  g.op('Mul', [mu, g.constFloat('c0', [0], [])], {}, 'logvar');
  let d = g.op('Transpose', [zq], { perm: attr.ints([0, 3, 1, 2]) }, 'zq_nchw');
  const widths = [...config.filters].reverse();
  size = side;
  for (let i = 0; i < widths.length; i++) {
    const dIn = widths[i]!;
    const dOut = i + 1 < widths.length ? widths[i + 1]! : C;
    const last = i + 1 === widths.length;
    const outSize = size * STRIDE;
    const { pads, outputPadding } = transposeSamePads(size, outSize, KERNEL, STRIDE);
    const k = permute4(W(`dec.deconv${i}.kernel`), [KERNEL, KERNEL, dOut, dIn], [3, 2, 0, 1]);
    const ct = g.op('ConvTranspose', [d, g.addInitializer(`dec.deconv${i}.kernel.iokk`, k.shape, k.data), g.addInitializer(`dec.deconv${i}.bias`, [dOut], W(`dec.deconv${i}.bias`))], {
      kernel_shape: attr.ints([KERNEL, KERNEL]),
      strides: attr.ints([STRIDE, STRIDE]),
      pads: attr.ints([pads[0], pads[0], pads[1], pads[1]]),
      output_padding: attr.ints([outputPadding, outputPadding]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    }, last ? 'logits' : `dec.deconv${i}`);
    d = last ? ct : g.op('Relu', [ct], {}, `dec.relu${i}`);
    size = outSize;
  }
  addScoreOps(g, { inputSize: S, channels: C, likelihood: 'gaussian-learned', fixedLogVar: 0 }, W, x, d, () => {
    // [N] zeros (shaped from mu) plus the constant G²·log K.
    const zeros = g.op('Mul', [g.op('ReduceSum', [mu, g.constInt64('axes_mu', [1])], { keepdims: attr.int(0) }), g.constFloat('c0b', [0], [])]);
    return g.op('Add', [zeros, g.constFloat('kl_const', [side * side * Math.log(K)], [])], {}, 'kl');
  }, mask);
  const F = DataType.FLOAT;
  const G = S / PATCH_SIZE;
  g.addOutput('mu', F, ['N', D], 'quantized latent averaged over the grid');
  g.addOutput('logvar', F, ['N', D], 'zeros: the VQ encoder is deterministic');
  g.addOutput('recon', F, ['N', S, S, C], 'decoder mean at z_q, NHWC, 0..1');
  g.addOutput('err_map', F, ['N', S, S], 'squared error averaged over channels');
  g.addOutput('patch_err', F, ['N', G, G], `err_map averaged over ${PATCH_SIZE}x${PATCH_SIZE} patches`);
  g.addOutput('recon_mse', F, ['N'], 'mean squared error');
  g.addOutput('kl', F, ['N'], 'G²·log K: KL of the one-hot code posterior to a uniform prior');
  g.addOutput('nll', F, ['N'], '-log p(x | z_q) in nats (gaussian-learned)');
  g.addOutput('elbo', F, ['N'], '-(nll + kl)');
  g.addOutput('sharpness', F, ['N'], 'mean |Laplacian| of the input (fine detail)');
  g.addOutput(VQ_CODES_OUTPUT, DataType.INT64, ['N', side * side], 'code of each grid position');
  return g.toBytes({
    opset: ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    producerName: 'latentwatch',
    producerVersion: '0.1.0',
    docString: 'LatentWatch VQ-VAE scorer (frames uint8 NHWC -> scores, codes)',
    metadata: { 'latentwatch.format': 'latentwatch-vq-vae-scorer/1', 'latentwatch.vq_config': JSON.stringify(config) },
  });
}
