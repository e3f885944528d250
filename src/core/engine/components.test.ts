import { describe, expect, it } from 'vitest';
import { createGmm } from '../ml/family/mixture.js';
import { mixtureKlTerm } from './components.js';

describe("mixtureKlTerm: a mixture-prior model's KL", () => {
  it('with one standard-normal component it is the plain VAE closed form 0.5 Σ (μ² + σ² − 1 − log σ²)', () => {
    const mu = Float32Array.from([0.3, -1.2, 0.8, 0, 2, -0.5]);
    const logvar = Float32Array.from([-0.4, 0.1, -2, 0, -1, 0.5]);
    const kl = mixtureKlTerm(createGmm([1], [0, 0, 0], [1, 1, 1]), mu, logvar, 2);
    for (let i = 0; i < 2; i++) {
      let want = 0;
      for (let d = 0; d < 3; d++) want += 0.5 * (mu[i * 3 + d]! ** 2 + Math.exp(logvar[i * 3 + d]!) - 1 - logvar[i * 3 + d]!);
      expect(kl[i]).toBeCloseTo(want, 5);
    }
  });

  it("a code sitting exactly on one far-apart component costs only that class's −log π", () => {
    const gmm = createGmm([0.3, 0.7], [-20, 0, 20, 0], [0.5, 2, 0.5, 2]);
    const mu = Float32Array.from([-20, 0, 20, 0]);
    const logvar = Float32Array.from([Math.log(0.5), Math.log(2), Math.log(0.5), Math.log(2)]);
    const kl = mixtureKlTerm(gmm, mu, logvar, 2);
    expect(kl[0]).toBeCloseTo(-Math.log(0.3), 6);
    expect(kl[1]).toBeCloseTo(-Math.log(0.7), 6);
  });
});
