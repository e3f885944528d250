/** A VQ-VAE's stored weights: its config, network weights and codebook in one blob. */
import { AppError } from '../../../shared/envelope.js';
import { type VqConfig, vqGrid, vqWeightSpecs } from '../../ml/vq/vq-vae.js';

/** Weights and codebook as bytes: a JSON header (config, names, shapes) then the float32 values. */
export function packVqWeights(config: VqConfig, weights: Record<string, Float32Array>, codebook: Float32Array): Uint8Array {
  const specs = vqWeightSpecs(config);
  const header = new TextEncoder().encode(JSON.stringify({ format: 'latentwatch-vq-weights/1', config, tensors: [...specs.map((s) => ({ name: s.name, shape: s.shape })), { name: 'vq.codebook', shape: [config.codebookSize, vqGrid(config).dim] }] }));
  const values = [...specs.map((s) => weights[s.name]!), codebook];
  const total = values.reduce((a, v) => a + v.length, 0);
  const out = new Uint8Array(4 + header.length + ((4 - (header.length % 4)) % 4) + total * 4);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let off = out.length - total * 4;
  for (const v of values) {
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), off);
    off += v.byteLength;
  }
  return out;
}

export function unpackVqWeights(bytes: Uint8Array): { config: VqConfig; weights: Record<string, Float32Array>; codebook: Float32Array } {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as { format: string; config: VqConfig; tensors: Array<{ name: string; shape: number[] }> };
  if (head.format !== 'latentwatch-vq-weights/1') throw new AppError('StoreError', `not VQ-VAE weights (${head.format})`);
  const total = head.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const floats = new Float32Array(bytes.slice(bytes.length - total * 4).buffer);
  const weights: Record<string, Float32Array> = {};
  let off = 0;
  for (const t of head.tensors) {
    const n = t.shape.reduce((x, y) => x * y, 1);
    weights[t.name] = floats.slice(off, off + n);
    off += n;
  }
  const codebook = weights['vq.codebook']!;
  delete weights['vq.codebook'];
  return { config: head.config, weights, codebook };
}
