/**
 * Shared by the family tests: central finite differences, for checking analytic gradients.
 *
 *   ∂f/∂x_i ≈ ( f(x + h e_i) − f(x − h e_i) ) / 2h,   error O(h²)
 */

/** Central-difference gradient of a scalar function at x (x is not modified). */
export function numericGradient(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  const p = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const x0 = p[i]!;
    p[i] = x0 + h;
    const fp = f(p);
    p[i] = x0 - h;
    const fm = f(p);
    p[i] = x0;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** max_i |a_i − b_i| / max(1, |b_i|): a relative error that stays meaningful near zero. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxRelError: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

/** Mean and standard error of the mean. */
export function meanAndSe(xs: ArrayLike<number>): { mean: number; se: number } {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i]! - mean) ** 2;
  return { mean, se: Math.sqrt(v / (n - 1) / n) };
}
