/**
 * The PixelCNN prior (pixelcnn.ts) as an ONNX graph, with the masked convolutions as plain Conv
 * nodes whose kernels are the masked products W ⊙ M (NHWC kernels permuted to OIHW):
 *
 *   codes         [N, H·W] int64 (the VQ-VAE scorer's `codes` output, row-major grid positions)
 *   one-hot       Gather(I_K, codes) -> [N, H, W, K] -> NCHW
 *   gated layers  Conv / Split / Tanh·Sigmoid / Add, as pixelCnnLogits
 *   log p         LogSoftmax over the K channels, GatherElements at the observed code
 *   code_nll_map  [N, H, W]  −log p(c_i | c_<i), nats
 *   code_nll      [N]        −log p(codes) = Σ_i code_nll_map, nats
 *
 * addPixelCnnOps appends the same nodes to another builder (from a codes value already in it), so the
 * prior can also ride in the VQ-VAE scorer's graph; appendPixelCnnToOnnx does that to a serialized
 * graph with a `codes` output (export-vq.ts), giving one scorer with every VQ output plus the two above.
 */
import { ONNX_IR_VERSION, ONNX_OPSET, permute4 } from '../onnx/export-vae.js';
import { attr, DataType, decodeModel, encodeModel, OnnxGraphBuilder } from '../onnx/proto.js';
import { layerMasks, type PixelCnnConfig, pixelCnnWeightShapes } from './pixelcnn.js';

export const PIXELCNN_CODES_INPUT = 'codes';
export const CODE_NLL_OUTPUT = 'code_nll';
export const CODE_NLL_MAP_OUTPUT = 'code_nll_map';
export const PIXELCNN_FORMAT = 'latentwatch-pixelcnn-prior/1';

/** Masked NHWC kernel [kh, kw, cin, cout] as OIHW data. */
function maskedOihw(w: Float32Array, shape: number[], mask?: { shape: [number, number]; data: Float32Array }): { data: Float32Array; shape: number[] } {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const masked = w.slice();
  if (mask) {
    for (let r = 0; r < kh; r++)
      for (let c = 0; c < kw; c++) {
        if (mask.data[r * kw + c]) continue;
        masked.fill(0, (r * kw + c) * cin * cout, (r * kw + c + 1) * cin * cout);
      }
  }
  return permute4(masked, [kh, kw, cin, cout], [3, 2, 0, 1]);
}

/**
 * Adds the prior's nodes to `g`, reading int64 codes [N, H·W] from the value `codes`; names are
 * prefixed with `prefix`. Returns the names of the two outputs (declare them with addOutput).
 */
export function addPixelCnnOps(g: OnnxGraphBuilder, config: PixelCnnConfig, weights: Record<string, Float32Array>, codes: string, prefix = 'prior.'): { codeNll: string; codeNllMap: string } {
  const specs = new Map(pixelCnnWeightShapes(config).map((s) => [s.name, s.shape]));
  const W = (name: string): Float32Array => {
    const w = weights[name];
    const shape = specs.get(name);
    if (!w || !shape || w.length !== shape.reduce((a, b) => a * b, 1)) throw new RangeError(`PixelCNN weight ${name} missing or of the wrong size`);
    return w;
  };
  const { codes: K, height: H, width: Wd, channels: F, kernel: k } = config;
  const eye = new Float32Array(K * K);
  for (let i = 0; i < K; i++) eye[i * K + i] = 1;
  const oneHot = g.op('Gather', [g.addInitializer(`${prefix}eye`, [K, K], eye), codes], { axis: attr.int(0) }, `${prefix}onehot_flat`);
  const x = g.op('Transpose', [g.op('Reshape', [oneHot, g.constInt64(`${prefix}shape_nhwk`, [-1, H, Wd, K])], {}, `${prefix}onehot_nhwc`)], { perm: attr.ints([0, 3, 1, 2]) }, `${prefix}onehot`);
  const convOp = (input: string, name: string, mask?: { shape: [number, number]; data: Float32Array }): string => {
    const shape = specs.get(`${name}.kernel`)!;
    const kk = maskedOihw(W(`${name}.kernel`), shape, mask);
    const [kh, kw] = shape as [number, number];
    const ph = (kh - 1) / 2;
    const pw = (kw - 1) / 2;
    return g.op('Conv', [input, g.addInitializer(`${prefix}${name}.kernel.oihw`, kk.shape, kk.data), g.addInitializer(`${prefix}${name}.bias`, [shape[3]!], W(`${name}.bias`))], {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints([1, 1]),
      pads: attr.ints([ph, pw, ph, pw]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    }, `${prefix}${name}`);
  };
  const split = g.constInt64(`${prefix}split`, [F, F]);
  const gateOp = (input: string, name: string): string => {
    const [a, b] = g.addNode('Split', [input, split], [`${prefix}${name}.a`, `${prefix}${name}.b`], { axis: attr.int(1) });
    return g.op('Mul', [g.op('Tanh', [a!]), g.op('Sigmoid', [b!])], {}, `${prefix}${name}`);
  };
  let v = x;
  let h = x;
  for (let l = 0; l < config.layers; l++) {
    const m = layerMasks(l, k);
    const vPre = convOp(v, `l${l}.v`, m.v);
    const hPre = g.op('Add', [convOp(h, `l${l}.h`, m.h), convOp(vPre, `l${l}.vh`)], {}, `${prefix}l${l}.hpre`);
    const hOut = convOp(gateOp(hPre, `l${l}.hgate`), `l${l}.o`);
    v = gateOp(vPre, `l${l}.vgate`);
    h = l === 0 ? hOut : g.op('Add', [h, hOut], {}, `${prefix}l${l}.hres`);
  }
  const hidden = g.op('Relu', [convOp(g.op('Relu', [h], {}, `${prefix}head.in`), 'head.hidden')], {}, `${prefix}head.relu`);
  const logits = convOp(hidden, 'head.logits');
  const logp = g.op('LogSoftmax', [logits], { axis: attr.int(1) }, `${prefix}logp`);
  const idx = g.op('Reshape', [codes, g.constInt64(`${prefix}shape_idx`, [-1, 1, H, Wd])], {}, `${prefix}codes_idx`);
  const picked = g.op('GatherElements', [logp, idx], { axis: attr.int(1) }, `${prefix}logp_code`);
  const map = g.op('Reshape', [g.op('Neg', [picked], {}, `${prefix}nll_n1hw`), g.constInt64(`${prefix}shape_map`, [-1, H, Wd])], {}, CODE_NLL_MAP_OUTPUT);
  const total = g.op('ReduceSum', [map, g.constInt64(`${prefix}axes_map`, [1, 2])], { keepdims: attr.int(0) }, CODE_NLL_OUTPUT);
  return { codeNll: total, codeNllMap: map };
}

/** The standalone prior: int64 codes [N, H·W] -> code_nll [N], code_nll_map [N, H, W]. */
export function exportPixelCnnToOnnx(config: PixelCnnConfig, weights: Record<string, Float32Array>): Uint8Array {
  const g = new OnnxGraphBuilder('latentwatch_pixelcnn_prior');
  const codes = g.addInput(PIXELCNN_CODES_INPUT, DataType.INT64, ['N', config.height * config.width], 'VQ-VAE codes, row-major grid positions');
  addPixelCnnOps(g, config, weights, codes);
  g.addOutput(CODE_NLL_OUTPUT, DataType.FLOAT, ['N'], '−log p(codes) under the PixelCNN prior, nats');
  g.addOutput(CODE_NLL_MAP_OUTPUT, DataType.FLOAT, ['N', config.height, config.width], '−log p(c_i | c_<i) per grid position, nats');
  return g.toBytes({
    opset: ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    producerName: 'latentwatch',
    producerVersion: '0.1.0',
    docString: 'LatentWatch PixelCNN prior over VQ-VAE codes (codes int64 -> exact −log p)',
    metadata: { 'latentwatch.format': PIXELCNN_FORMAT, 'latentwatch.pixelcnn_config': JSON.stringify(config) },
  });
}

/**
 * Appends the prior to a serialized graph that has an int64 output `codes` [N, H·W] (the VQ-VAE
 * scorer of export-vq.ts): the result keeps every input, output and metadata entry of that graph and
 * adds code_nll and code_nll_map, so one ONNX Runtime session scores frames end to end.
 */
export function appendPixelCnnToOnnx(base: Uint8Array, config: PixelCnnConfig, weights: Record<string, Float32Array>): Uint8Array {
  const model = decodeModel(base);
  if (!model.graph.output.some((o) => o.name === PIXELCNN_CODES_INPUT)) throw new RangeError(`the base graph has no "${PIXELCNN_CODES_INPUT}" output to put the prior on`);
  // Build the prior on its own (its input is the base graph's codes value), then move its nodes over.
  const g = new OnnxGraphBuilder('prior');
  g.addInput(PIXELCNN_CODES_INPUT, DataType.INT64, ['N', config.height * config.width]);
  addPixelCnnOps(g, config, weights, PIXELCNN_CODES_INPUT, 'prior.');
  g.addOutput(CODE_NLL_OUTPUT, DataType.FLOAT, ['N'], '−log p(codes) under the PixelCNN prior, nats');
  g.addOutput(CODE_NLL_MAP_OUTPUT, DataType.FLOAT, ['N', config.height, config.width], '−log p(c_i | c_<i) per grid position, nats');
  const prior = g.toModel();
  // Unprefixed names the builder made up (fresh constants, node names) could collide with the base graph's.
  const taken = new Set<string>([...model.graph.node.flatMap((n) => [...n.output, n.name]), ...model.graph.initializer.map((t) => t.name), ...model.graph.input.map((i) => i.name)]);
  const keep = new Set([PIXELCNN_CODES_INPUT, CODE_NLL_OUTPUT, CODE_NLL_MAP_OUTPUT, '']);
  const rename = (n: string): string => (keep.has(n) || n.startsWith('prior.') ? n : `prior.${n}`);
  for (const n of [CODE_NLL_OUTPUT, CODE_NLL_MAP_OUTPUT]) if (taken.has(n)) throw new RangeError(`the base graph already has a value named ${n}`);
  model.graph.node.push(...prior.graph.node.map((n) => ({ ...n, name: rename(n.name), input: n.input.map(rename), output: n.output.map(rename) })));
  model.graph.initializer.push(...prior.graph.initializer.map((t) => ({ ...t, name: rename(t.name) })));
  model.graph.output.push(...prior.graph.output);
  const names = [...model.graph.node.flatMap((n) => n.output), ...model.graph.initializer.map((t) => t.name)];
  if (new Set(names).size !== names.length) throw new Error('appendPixelCnnToOnnx: a value name is used twice');
  model.metadata_props.push({ key: 'latentwatch.pixelcnn_config', value: JSON.stringify(config) });
  return encodeModel(model);
}
