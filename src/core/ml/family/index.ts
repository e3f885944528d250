/**
 * Building blocks for the VAE model family (issue 5), pure Float64Array math with no tfjs:
 * - iwae:    the importance-weighted bound L_K on log p(x) (K = 1 is the ELBO)
 * - gumbel:  Gumbel-softmax class samples, straight-through, temperature schedule, categorical KL,
 *            class-usage entropy (collapse detection)
 * - mixture: diagonal Gaussian-mixture prior, responsibilities, EM M-step (semi-supervised too)
 * - gp:      Gaussian-process regression over time, marginal likelihood and its fitting, LOO residuals
 * - vq:      vector quantization: assignment, losses, EMA codebook, dead-code restarts, usage, rarity
 */
export * from './numeric.js';
export * from './iwae.js';
export * from './gumbel.js';
export * from './mixture.js';
export * from './gp.js';
export * from './vq.js';
