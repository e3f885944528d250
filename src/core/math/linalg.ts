/**
 * The little dense linear algebra the PCA baseline needs, in plain Float64Array (row-major):
 * a Gram matrix, a cyclic Jacobi eigensolver for small symmetric matrices, and Chebyshev-filtered
 * block subspace (orthogonal) iteration with Rayleigh–Ritz for the leading eigenpairs of a larger
 * symmetric positive semi-definite matrix. Everything is deterministic: the starting block comes from a
 * fixed-seed generator.
 */

/** G = X Xᵀ for X with `rows` rows of length `cols` (row-major); G is rows×rows, symmetric. */
export function gram(x: Float64Array, rows: number, cols: number): Float64Array {
  if (x.length !== rows * cols) throw new RangeError(`gram: ${x.length} values for ${rows}×${cols}`);
  const g = new Float64Array(rows * rows);
  // Upper triangle in 2×4 tiles: eight dot products share each pass over six rows (register blocking;
  // ~2× faster than one dot product at a time in V8). The lower triangle is mirrored at the end.
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const oa = i * cols, ob = oa + cols;
    let j = i;
    for (; j + 3 < rows; j += 4) {
      const o0 = j * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let d = 0; d < cols; d++) {
        const a = x[oa + d]!, b = x[ob + d]!;
        const y0 = x[o0 + d]!, y1 = x[o1 + d]!, y2 = x[o2 + d]!, y3 = x[o3 + d]!;
        a0 += a * y0; a1 += a * y1; a2 += a * y2; a3 += a * y3;
        b0 += b * y0; b1 += b * y1; b2 += b * y2; b3 += b * y3;
      }
      const ga = i * rows + j, gb = ga + rows;
      g[ga] = a0; g[ga + 1] = a1; g[ga + 2] = a2; g[ga + 3] = a3;
      g[gb] = b0; g[gb + 1] = b1; g[gb + 2] = b2; g[gb + 3] = b3;
    }
    for (; j < rows; j++) {
      const oj = j * cols;
      let a0 = 0, b0 = 0;
      for (let d = 0; d < cols; d++) {
        const y = x[oj + d]!;
        a0 += x[oa + d]! * y;
        b0 += x[ob + d]! * y;
      }
      g[i * rows + j] = a0;
      g[(i + 1) * rows + j] = b0;
    }
  }
  for (; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let d = 0; d < cols; d++) s += x[i * cols + d]! * x[j * cols + d]!;
      g[i * rows + j] = s;
    }
  }
  for (let r = 1; r < rows; r++) for (let c = 0; c < r; c++) g[r * rows + c] = g[c * rows + r]!;
  return g;
}

export function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c]!;
  return t;
}

export interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as rows: vector i is vectors[i*n .. i*n+n), unit length, paired with values[i]. */
  vectors: Float64Array;
  n: number;
}

/**
 * All eigenpairs of a symmetric n×n matrix by cyclic Jacobi rotations (a copy is rotated to diagonal
 * form; the product of the rotations holds the eigenvectors). Quadratically convergent, accurate to
 * working precision; O(n³) per sweep, so meant for n up to a few hundred at most. Only the upper
 * triangle's mirror image matters: the input is symmetrised first.
 */
export function symmetricEigen(m: ArrayLike<number>, n: number, maxSweeps = 100): Eigen {
  if (m.length !== n * n) throw new RangeError(`symmetricEigen: ${m.length} values for ${n}×${n}`);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (m[i * n + j]! + m[j * n + i]!);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! ** 2;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    }
    if (off === 0 || off <= 1e-32 * (diag + 2 * off)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!, aqq = a[q * n + q]!;
        // Skip a rotation that would not change the diagonal at working precision.
        if (Math.abs(apq) < 1e-18 * (Math.abs(app) + Math.abs(aqq))) {
          a[p * n + q] = a[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = Math.abs(theta) > 1e150 ? 0.5 / theta : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J with J the rotation in the (p, q) plane; V ← V J.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]! || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = a[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[dst * n + k] = v[k * n + src]!;
  });
  return { values, vectors, n };
}

/** Fixed-seed xorshift32 in [-0.5, 0.5): the deterministic starting block. */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  };
}

function dot(a: Float64Array, oa: number, b: Float64Array, ob: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[oa + i]! * b[ob + i]!;
  return s;
}

/**
 * Orthonormalise the p vectors (rows of length n) of `q` in place: modified Gram–Schmidt, twice
 * ("twice is enough"). A vector that collapses (it lay in the span of the previous ones) is replaced by
 * a fresh pseudo-random vector, orthonormalised in its turn.
 */
export function orthonormalize(q: Float64Array, p: number, n: number, rnd: () => number = generator(0x9e3779b9)): void {
  for (let j = 0; j < p; j++) {
    const oj = j * n;
    for (let attempt = 0; ; attempt++) {
      const before = Math.sqrt(dot(q, oj, q, oj, n));
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < j; i++) {
          const r = dot(q, i * n, q, oj, n);
          for (let k = 0; k < n; k++) q[oj + k]! -= r * q[i * n + k]!;
        }
      }
      const norm = Math.sqrt(dot(q, oj, q, oj, n));
      if (norm > 1e-10 * before && norm > 1e-300) {
        for (let k = 0; k < n; k++) q[oj + k]! /= norm;
        break;
      }
      if (attempt > 5 || j >= n) throw new RangeError(`orthonormalize: cannot find ${p} independent vectors in dimension ${n}`);
      for (let k = 0; k < n; k++) q[oj + k] = rnd();
    }
  }
}

/** Z = A Q for symmetric n×n A and p vectors (rows of q, length n): z_j[i] = A_i · q_j, in 2×4 tiles. */
function multiplyRows(m: Float64Array, n: number, q: Float64Array, p: number, z: Float64Array): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const oa = i * n, ob = oa + n;
    let j = 0;
    for (; j + 3 < p; j += 4) {
      const o0 = j * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let l = 0; l < n; l++) {
        const a = m[oa + l]!, b = m[ob + l]!;
        const y0 = q[o0 + l]!, y1 = q[o1 + l]!, y2 = q[o2 + l]!, y3 = q[o3 + l]!;
        a0 += a * y0; a1 += a * y1; a2 += a * y2; a3 += a * y3;
        b0 += b * y0; b1 += b * y1; b2 += b * y2; b3 += b * y3;
      }
      z[o0 + i] = a0; z[o1 + i] = a1; z[o2 + i] = a2; z[o3 + i] = a3;
      z[o0 + i + 1] = b0; z[o1 + i + 1] = b1; z[o2 + i + 1] = b2; z[o3 + i + 1] = b3;
    }
    for (; j < p; j++) {
      z[j * n + i] = dot(m, oa, q, j * n, n);
      z[j * n + i + 1] = dot(m, ob, q, j * n, n);
    }
  }
  for (; i < n; i++) for (let j = 0; j < p; j++) z[j * n + i] = dot(m, i * n, q, j * n, n);
}

/** Rows of the result: out_j = Σ_l w[j*p + l] · v_l, for p vectors v (rows of length n). */
function combine(w: Float64Array, p: number, v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(p * n);
  for (let j = 0; j < p; j++) {
    const oj = j * n;
    for (let l = 0; l < p; l++) {
      const c = w[j * p + l]!;
      if (c === 0) continue;
      const ol = l * n;
      for (let i = 0; i < n; i++) out[oj + i]! += c * v[ol + i]!;
    }
  }
  return out;
}

/** max_j ‖A v_j − λ_j v_j‖ / |λ₀| over the first `count` pairs (vectors as rows). */
function relativeResidual(m: Float64Array, n: number, values: Float64Array, vectors: Float64Array, count: number): number {
  const scale = Math.max(Math.abs(values[0] ?? 0), 1e-300);
  let worst = 0;
  const av = new Float64Array(n);
  for (let j = 0; j < count; j++) {
    for (let i = 0; i < n; i++) av[i] = dot(m, i * n, vectors, j * n, n);
    let r = 0;
    for (let i = 0; i < n; i++) r += (av[i]! - values[j]! * vectors[j * n + i]!) ** 2;
    worst = Math.max(worst, Math.sqrt(r) / scale);
  }
  return worst;
}

export interface TopEigen extends Eigen {
  /** Number of eigenpairs returned (rows of `vectors`). */
  k: number;
  /** 'jacobi' (small matrix: all eigenpairs, the top k kept) or 'subspace'. */
  method: 'jacobi' | 'subspace';
  /** Rayleigh–Ritz steps taken (1 for Jacobi). */
  iterations: number;
  /** Products A·(block) formed, the dominant cost (0 for Jacobi). */
  products: number;
  /** Largest relative residual ‖A v − λ v‖ / λ₁ over the k pairs returned. */
  residual: number;
  /** The residual met `tol` (always true for Jacobi). */
  converged: boolean;
}

export interface TopEigenOptions {
  /** Block size of the subspace iteration (default k + max(8, ⌈k/2⌉), at most n). */
  block?: number;
  /** Stop when every returned pair has ‖A v − λ v‖ ≤ tol · λ₁ (default 1e-6). */
  tol?: number;
  /**
   * Also stop when the sum of the k leading Ritz values (the variance the subspace captures) changes by
   * less than this, relative, in one step (default 1e-10): on a flat spectrum the individual vectors
   * converge slowly but any of the nearly equal candidates captures the same variance.
   */
  stagnation?: number;
  /** Rayleigh–Ritz steps at most (default 200). */
  maxIterations?: number;
  /** Products A·(block) at most, a bound on the time taken (default 300). */
  maxProducts?: number;
  /** Highest degree of the Chebyshev filter (default 12; 1 = plain subspace iteration). */
  maxDegree?: number;
  /** Matrices up to this order are solved outright by Jacobi (default 96). */
  jacobiUpTo?: number;
}

/** Dynamic range the filter may open up inside one column before re-orthonormalisation (≈ 1e6). */
const FILTER_RANGE = Math.log(1e6);

/** log T_m(x) for x ≥ 1, T_m the Chebyshev polynomial: log cosh(m·acosh x), without overflow. */
function logChebyshev(m: number, x: number): number {
  const a = m * Math.acosh(Math.max(1, x));
  return a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
}

/**
 * The highest filter degree (≤ maxDegree) that keeps every wanted Ritz vector y_c accurate. Filtering
 * multiplies the component of y_c along a larger eigenvector v_i by T_m(x_i)/T_m(x_c) relative to its own;
 * that component is at most ‖A y_c − θ_c y_c‖ / (θ_i − θ_c) (exact for eigenvector i; floored at
 * roundoff), and once the block is re-orthonormalised it costs y_c that much relative precision × 1e-16.
 * So the worst (i, c) product is held under FILTER_RANGE: a low degree from a random start, rising
 * as the Ritz vectors converge.
 */
function filterDegree(theta: Float64Array, resNorm: Float64Array, k: number, half: number, maxDegree: number): number {
  for (let m = maxDegree; m >= 2; m--) {
    let ok = true;
    for (let c = 1; c < k && ok; c++) {
      const logTc = logChebyshev(m, (theta[c]! - half) / half);
      for (let i = 0; i < c; i++) {
        const gap = theta[i]! - theta[c]!;
        const alpha = Math.max(gap > 0 ? Math.min(1, resNorm[c]! / gap) : 1, 1e-15);
        if (logChebyshev(m, (theta[i]! - half) / half) - logTc + Math.log(alpha) > FILTER_RANGE) {
          ok = false;
          break;
        }
      }
    }
    if (ok) return m;
  }
  return 1;
}

/**
 * The k leading eigenpairs of a symmetric positive semi-definite n×n matrix A (row-major).
 *
 * Small n: cyclic Jacobi on A itself. Larger n: block subspace (orthogonal) iteration with
 * Rayleigh–Ritz, accelerated by a Chebyshev filter (Zhou & Saad, "Self-consistent-field calculations
 * using Chebyshev-filtered subspace iteration", J. Comput. Phys. 2007):
 *
 *   Q (n×p, p > k, orthonormal, deterministic pseudo-random start)
 *   repeat: Z = A Q; Rayleigh–Ritz: Qᵀ Z = W Θ Wᵀ (Jacobi, p×p), Ritz pairs (Y = Q W, Θ), A Y = Z W;
 *           stop once the k leading residuals ‖A y − θ y‖ ≤ tol·θ₁ (or Σθ stagnates, or maxIterations);
 *           else Q ← orth(T_m((A − cI)/e) Y) with c = e = θ_p / 2,
 *
 * i.e. the degree-m Chebyshev polynomial that stays within [−1, 1] on [0, θ_p] — the spectrum the block
 * should not hold (A is PSD, θ_p bounds λ_p from below) — and grows fast above it. Plain subspace
 * iteration (m = 1 power steps) shrinks the error of pair i like λ_{p+1}/λ_i per product; the filter
 * like 1/T_m(2λ_i/θ_p − 1) per m products, much faster when the gap is small (a flat noise spectrum).
 * m (1..maxDegree) is chosen each step by `filterDegree` so that no wanted Ritz vector loses accuracy to the
 * growth of its (residual-bounded) components along larger eigenvectors: low from the random start, up
 * to maxDegree as the vectors converge. Cost: n²p per product + O(np²) per step.
 */
export function topEigen(m: Float64Array, n: number, wanted: number, options: TopEigenOptions = {}): TopEigen {
  if (m.length !== n * n) throw new RangeError(`topEigen: ${m.length} values for ${n}×${n}`);
  const k = Math.max(0, Math.min(wanted, n));
  const tol = options.tol ?? 1e-6;
  const maxIterations = options.maxIterations ?? 200;
  const maxDegree = Math.max(1, options.maxDegree ?? 12);
  const maxProducts = Math.max(1, options.maxProducts ?? 300);
  const stagnation = options.stagnation ?? 1e-10;
  const p = Math.min(n, Math.max(options.block ?? k + Math.max(8, Math.ceil(k / 2)), k));

  if (n <= (options.jacobiUpTo ?? 96) || p >= n) {
    const all = symmetricEigen(m, n);
    const values = all.values.slice(0, k);
    const vectors = all.vectors.slice(0, k * n);
    return { values, vectors, n, k, method: 'jacobi', iterations: 1, products: 0, residual: relativeResidual(m, n, values, vectors, k), converged: true };
  }

  const rnd = generator(0x2545f491);
  let q: Float64Array = new Float64Array(p * n);
  for (let i = 0; i < q.length; i++) q[i] = rnd();
  orthonormalize(q, p, n, rnd);
  const z = new Float64Array(p * n);
  const b = new Float64Array(p * p);
  let iterations = 0;
  let products = 0;
  let residual = Infinity;
  let captured = NaN;
  let values = new Float64Array(k);
  let vectors = new Float64Array(k * n);

  for (;;) {
    iterations++;
    multiplyRows(m, n, q, p, z); // Z = A Q
    products++;
    // Rayleigh–Ritz: B = Qᵀ A Q = Qᵀ Z (symmetrised).
    for (let a = 0; a < p; a++) for (let c = a; c < p; c++) b[a * p + c] = b[c * p + a] = 0.5 * (dot(q, a * n, z, c * n, n) + dot(q, c * n, z, a * n, n));
    const small = symmetricEigen(b, p);
    const theta = small.values;
    // Ritz vectors Y = Q W and A Y = Z W (row j of small.vectors is column j of W).
    const y = combine(small.vectors, p, q, n);
    const ay = combine(small.vectors, p, z, n);
    const scale = Math.max(Math.abs(theta[0]!), 1e-300);
    const resNorm = new Float64Array(k); // ‖A y_j − θ_j y_j‖
    for (let j = 0; j < k; j++) {
      let r = 0;
      for (let i = 0; i < n; i++) r += (ay[j * n + i]! - theta[j]! * y[j * n + i]!) ** 2;
      resNorm[j] = Math.sqrt(r);
    }
    residual = resNorm.reduce((w, r) => Math.max(w, r / scale), 0);
    values = theta.slice(0, k);
    vectors = y.slice(0, k * n);
    const sum = values.reduce((s, v) => s + v, 0);
    const stalled = Math.abs(sum - captured) <= stagnation * Math.abs(sum);
    captured = sum;
    if (residual <= tol || stalled || iterations >= maxIterations || products >= maxProducts || theta[0]! <= 0) break;

    // Chebyshev filter on [0, θ_p]: Y₁ = (A − cI) Y₀ / e, Y_{j+1} = 2 (A − cI) Y_j / e − Y_{j−1}.
    const bound = Math.max(theta[p - 1]!, 0);
    const half = bound / 2;
    const degree = bound > 0 ? filterDegree(theta, resNorm, k, half, Math.min(maxDegree, maxProducts - products)) : 1;
    if (degree === 1 || half === 0) {
      q = ay; // a plain subspace-iteration step
    } else {
      let prev: Float64Array = y;
      let cur: Float64Array = new Float64Array(p * n);
      for (let i = 0; i < cur.length; i++) cur[i] = (ay[i]! - half * y[i]!) / half;
      for (let step = 2; step <= degree; step++) {
        multiplyRows(m, n, cur, p, z);
        products++;
        const next = prev; // reuse the buffer of Y_{j−1}
        for (let i = 0; i < next.length; i++) next[i] = (2 * (z[i]! - half * cur[i]!)) / half - prev[i]!;
        prev = cur;
        cur = next;
      }
      q = cur;
    }
    orthonormalize(q, p, n, rnd);
  }
  return { values, vectors, n, k, method: 'subspace', iterations, products, residual, converged: residual <= tol };
}
