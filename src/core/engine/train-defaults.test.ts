import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENT_DIM, DEFAULT_LIKELIHOOD } from '../../shared/train-defaults.js';
import { DEFAULT_VAE_CONFIG } from '../ml/vae/spec.js';

describe('shared training defaults', () => {
  it('match the network defaults the engine builds new models with', () => {
    expect(DEFAULT_VAE_CONFIG.latentDim).toBe(DEFAULT_LATENT_DIM);
    expect(DEFAULT_VAE_CONFIG.likelihood).toBe(DEFAULT_LIKELIHOOD);
  });
});
