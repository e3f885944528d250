/**
 * The byte layout of stored network weights (VQ-VAE, PixelCNN prior): a little-endian u32 header
 * length, a JSON header (format, config, tensor names and shapes, in order), padding to 4 bytes, then
 * the float32 values of the tensors in header order.
 */

export interface BlobTensor {
  name: string;
  shape: number[];
}

/** Pack `values` (one per entry of `header.tensors`, in order) under a JSON header. */
export function packWeightBlob(header: { format: string; tensors: BlobTensor[] } & Record<string, unknown>, values: readonly Float32Array[]): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const total = values.reduce((a, v) => a + v.length, 0);
  const out = new Uint8Array(4 + head.length + ((4 - (head.length % 4)) % 4) + total * 4);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let off = out.length - total * 4;
  for (const v of values) {
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), off);
    off += v.byteLength;
  }
  return out;
}

/** The header and the tensors (by name, copied out of `bytes`) of a packed blob. */
export function unpackWeightBlob<H extends { format: string; tensors: BlobTensor[] }>(bytes: Uint8Array): { head: H; weights: Record<string, Float32Array> } {
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len))) as H;
  const size = (t: BlobTensor) => t.shape.reduce((x, y) => x * y, 1);
  const total = head.tensors.reduce((a, t) => a + size(t), 0);
  const floats = new Float32Array(bytes.slice(bytes.length - total * 4).buffer);
  const weights: Record<string, Float32Array> = {};
  let off = 0;
  for (const t of head.tensors) {
    weights[t.name] = floats.slice(off, off + size(t));
    off += size(t);
  }
  return { head, weights };
}
