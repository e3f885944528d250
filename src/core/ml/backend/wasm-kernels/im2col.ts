/**
 * im2col / col2im on Float32Arrays (normally views on the wasm heap). All layouts are NHWC with
 * HWIO filters, so one "column" row of length K = kH*kW*inC is ordered (kh, kw, ci) exactly like
 * the filter's first three axes: col[M, K] @ filter[K, outC] is the convolution.
 *
 * These loops are plain JS on purpose: the matrix products go to XNNPACK through the wasm
 * backend's own BatchMatMul kernel, the index shuffling stays here.
 */

/** Geometry of a 2-D convolution in NHWC, taken from tfjs' Conv2DInfo. */
export interface ConvGeom {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** Rows (M = N*outH*outW) and row length (K = kH*kW*inC) of the column matrix. */
export function colDims(g: ConvGeom): { m: number; k: number } {
  return { m: g.batch * g.outH * g.outW, k: g.kH * g.kW * g.inC };
}

/** Valid kw range [lo, hi) for an output column whose leftmost input column is iw0. */
function kwRange(iw0: number, kW: number, inW: number): [number, number] {
  const lo = iw0 < 0 ? -iw0 : 0;
  const hi = Math.min(kW, inW - iw0);
  return [lo, hi > lo ? hi : lo];
}

/**
 * col[m, (kh,kw,ci)] = x[n, oh*sH - pT + kh, ow*sW - pL + kw, ci] (0 outside the picture).
 * `x` and `col` may be views on the same buffer but must not overlap.
 */
export function im2col(x: Float32Array, col: Float32Array, g: ConvGeom): void {
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const K = kH * kW * inC;
  const rowLen = kW * inC;
  let m = 0;
  for (let n = 0; n < g.batch; n++) {
    const xN = n * inH * inW * inC;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      for (let ow = 0; ow < outW; ow++, m++) {
        const iw0 = ow * strideW - padLeft;
        const [lo, hi] = kwRange(iw0, kW, inW);
        const colRow = m * K;
        for (let kh = 0; kh < kH; kh++) {
          const ih = ih0 + kh;
          const dst = colRow + kh * rowLen;
          if (ih < 0 || ih >= inH || hi === lo) {
            col.fill(0, dst, dst + rowLen);
            continue;
          }
          if (lo > 0) col.fill(0, dst, dst + lo * inC);
          if (hi < kW) col.fill(0, dst + hi * inC, dst + rowLen);
          const src = xN + (ih * inW + iw0 + lo) * inC;
          const len = (hi - lo) * inC;
          const d = dst + lo * inC;
          if (len >= 32) {
            col.set(x.subarray(src, src + len), d);
          } else {
            for (let j = 0; j < len; j++) col[d + j] = x[src + j]!;
          }
        }
      }
    }
  }
}

/** Rows of the column matrix handled per tile by im2colT. */
const TILE = 128;

/**
 * x with its zero padding made explicit: [N, Hp, Wp, C] where Hp/Wp cover every input row/column
 * any output reads ((out-1)*stride + k), so im2colT needs no bounds checks.
 */
function padded(x: Float32Array, g: ConvGeom): { xp: Float32Array; hp: number; wp: number } {
  const { inH, inW, inC, padTop, padLeft } = g;
  const hp = Math.max((g.outH - 1) * g.strideH + g.kH, 1);
  const wp = Math.max((g.outW - 1) * g.strideW + g.kW, 1);
  const xp = new Float32Array(g.batch * hp * wp * inC);
  const r0 = Math.max(0, padTop);
  const r1 = Math.min(hp, padTop + inH);
  const c0 = Math.max(0, padLeft);
  const c1 = Math.min(wp, padLeft + inW);
  if (r1 <= r0 || c1 <= c0) return { xp, hp, wp };
  const len = (c1 - c0) * inC;
  for (let n = 0; n < g.batch; n++) {
    for (let r = r0; r < r1; r++) {
      const src = ((n * inH + (r - padTop)) * inW + (c0 - padLeft)) * inC;
      xp.set(x.subarray(src, src + len), ((n * hp + r) * wp + c0) * inC);
    }
  }
  return { xp, hp, wp };
}

/**
 * Transposed column matrix: colT[(kh,kw,ci), m], i.e. [K, M]. Used for the filter gradient
 * dW[K, outC] = colT[K, M] @ dy[M, outC], which keeps the big matrix on the left of the product:
 * XNNPACK repacks the right-hand matrix on every call, which costs more than the product when it is
 * the big one. Reads from an explicitly padded copy of x (no bounds checks) in tiles of TILE rows
 * so that the strided reads stay in cache while each colT row is written contiguously.
 */
export function im2colT(x: Float32Array, colT: Float32Array, g: ConvGeom): void {
  const { inC, outH, outW, kH, kW, strideH, strideW } = g;
  const M = g.batch * outH * outW;
  const { xp, hp, wp } = padded(x, g);
  const base = new Int32Array(TILE); // offset in xp of tap (0, 0) of each row of the tile
  const rowStride = wp * inC;
  for (let m0 = 0; m0 < M; m0 += TILE) {
    const tm = Math.min(TILE, M - m0);
    for (let i = 0; i < tm; i++) {
      const m = m0 + i;
      const ow = m % outW;
      const t = (m - ow) / outW;
      const oh = t % outH;
      const n = (t - oh) / outH;
      base[i] = ((n * hp + oh * strideH) * wp + ow * strideW) * inC;
    }
    for (let kh = 0; kh < kH; kh++) {
      for (let kw = 0; kw < kW; kw++) {
        const off = kh * rowStride + kw * inC;
        const rowK = (kh * kW + kw) * inC;
        for (let ci = 0; ci < inC; ci++) {
          const dst = (rowK + ci) * M + m0;
          const o = off + ci;
          for (let i = 0; i < tm; i++) colT[dst + i] = xp[base[i]! + o]!;
        }
      }
    }
  }
}

/**
 * dx[n, ih, iw, ci] = sum over (m, kh, kw) that read that pixel of col[m, (kh,kw,ci)]: the adjoint
 * of im2col. `dx` is overwritten (zeroed first).
 */
export function col2im(col: Float32Array, dx: Float32Array, g: ConvGeom): void {
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const K = kH * kW * inC;
  const rowLen = kW * inC;
  dx.fill(0);
  let m = 0;
  for (let n = 0; n < g.batch; n++) {
    const xN = n * inH * inW * inC;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      for (let ow = 0; ow < outW; ow++, m++) {
        const iw0 = ow * strideW - padLeft;
        const [lo, hi] = kwRange(iw0, kW, inW);
        if (hi === lo) continue;
        const len = (hi - lo) * inC;
        const colRow = m * K + lo * inC;
        for (let kh = 0; kh < kH; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= inH) continue;
          const s = colRow + kh * rowLen;
          const d = xN + (ih * inW + iw0 + lo) * inC;
          for (let j = 0; j < len; j++) dx[d + j]! += col[s + j]!;
        }
      }
    }
  }
}

/** out[c, r] = a[r, c] for a row-major [rows, cols] matrix. */
export function transpose2d(a: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[src + c]!;
  }
}
