/**
 * The training settings used when a TrainRequest leaves a field out. In shared so the engine uses
 * them and the training form shows them (as placeholders) from one source.
 */
export const TRAIN_DEFAULTS = {
  epochs: 20,
  batchSize: 32,
  learningRate: 1e-3,
  beta: 1,
  klWarmupEpochs: 5,
  patience: 8,
  validationFraction: 0.2,
  maxFrames: 6000,
  seed: 1,
  targetFpr: 0.01,
} as const;

/** A fine-tune starts from trained weights: no KL warm-up; the repeated labelled frames need about 15 epochs to be learned (test/fine-tune.test.ts: 8 epochs left the span's reconstruction error 17x the normal frames', 20 brought it to 3x). */
export const FINE_TUNE_DEFAULTS = { epochs: 15, learningRate: 1e-3, klWarmupEpochs: 0 } as const;

/** Latent size of a new model when none is asked for (DEFAULT_VAE_CONFIG.latentDim in core; a test keeps them equal). */
export const DEFAULT_LATENT_DIM = 16;

/** Decoder likelihood of a new model when none is asked for (DEFAULT_VAE_CONFIG.likelihood in core). */
export const DEFAULT_LIKELIHOOD = 'gaussian-learned' as const;

/** A conditional VAE's earlier frames when none is asked for ('cvae': frame t from frame t − 1). */
export const DEFAULT_CONDITION_FRAMES = 1;

/** A mixture-prior VAE's number of components when none is asked for ('gmvae'). */
export const DEFAULT_MIXTURE_COMPONENTS = 4;
