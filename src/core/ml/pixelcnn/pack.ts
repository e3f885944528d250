/**
 * The prior's weights as bytes, laid out as the VQ-VAE's (engine/vq-model.ts packVqWeights): a
 * little-endian u32 header length, a JSON header (format, config, tensor names and shapes), padding to
 * 4 bytes, then the float32 values in header order. A vq-pixelcnn model stores this beside the
 * VQ-VAE's bytes (sampling for the generation view runs in tfjs from these weights).
 */
import { type PixelCnnConfig, pixelCnnWeightShapes } from './pixelcnn.js';

export const PIXELCNN_WEIGHTS_FORMAT = 'latentwatch-pixelcnn-weights/1';

export function packPixelCnnWeights(config: PixelCnnConfig, weights: Record<string, Float32Array>): Uint8Array {
  const specs = pixelCnnWeightShapes(config);
  for (const s of specs) if (weights[s.name]?.length !== s.shape.reduce((a, b) => a * b, 1)) throw new RangeError(`PixelCNN weight ${s.name} missing or of the wrong size`);
  const header = new TextEncoder().encode(JSON.stringify({ format: PIXELCNN_WEIGHTS_FORMAT, config, tensors: specs.map((s) => ({ name: s.name, shape: s.shape })) }));
  const total = specs.reduce((a, s) => a + weights[s.name]!.length, 0);
  const out = new Uint8Array(4 + header.length + ((4 - (header.length % 4)) % 4) + total * 4);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let off = out.length - total * 4;
  for (const s of specs) {
    const v = weights[s.name]!;
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), off);
    off += v.byteLength;
  }
  return out;
}

export function unpackPixelCnnWeights(bytes: Uint8Array): { config: PixelCnnConfig; weights: Record<string, Float32Array> } {
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as { format: string; config: PixelCnnConfig; tensors: Array<{ name: string; shape: number[] }> };
  if (head.format !== PIXELCNN_WEIGHTS_FORMAT) throw new RangeError(`not PixelCNN weights (${head.format})`);
  const total = head.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const floats = new Float32Array(bytes.slice(bytes.length - total * 4).buffer);
  const weights: Record<string, Float32Array> = {};
  let off = 0;
  for (const t of head.tensors) {
    const n = t.shape.reduce((x, y) => x * y, 1);
    weights[t.name] = floats.slice(off, off + n);
    off += n;
  }
  return { config: head.config, weights };
}
