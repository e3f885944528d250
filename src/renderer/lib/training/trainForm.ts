/**
 * The training form's fields turned into a TrainRequest. An empty field means "the app's default";
 * a filled one must be in the range the app accepts (the same ranges as `trainRequestSchema`), and
 * a message names the field, the range and what to type instead.
 */
import { MAX_CONDITION_FRAMES, MAX_MIXTURE_COMPONENTS, MODEL_KINDS, type ModelKind, TRAINING_BACKENDS, type TrainingBackend, type TrainRequest } from '../../../shared/domain.js';
import { LIKELIHOODS, type Likelihood } from '../../../shared/domain.js';
import { DEFAULT_CONDITION_FRAMES, DEFAULT_LATENT_DIM, DEFAULT_MIXTURE_COMPONENTS, FINE_TUNE_DEFAULTS, TRAIN_DEFAULTS } from '../../../shared/train-defaults.js';

export { LIKELIHOODS, type Likelihood };

/** What the form holds: numbers are null while their input is empty; '' selects the app's choice. */
export interface TrainFields {
  /** Which kind a new model is (a fine-tune keeps its parent's); 'vae' is the default. */
  kind: ModelKind;
  name: string;
  epochs: number | null;
  batchSize: number | null;
  learningRate: number | null;
  latentDim: number | null;
  beta: number | null;
  klWarmupEpochs: number | null;
  maxFrames: number | null;
  targetFpr: number | null;
  seed: number | null;
  backend: TrainingBackend | '';
  likelihood: Likelihood | '';
  /** Leave the video's ignore regions out of training and scoring (the default). */
  useIgnoreMask: boolean;
  /** 'cvae' only: earlier frames each frame is predicted from. */
  conditionFrames: number | null;
  /** 'gmvae' only: components of the mixture prior. */
  mixtureComponents: number | null;
}

export type NumericField =
  | 'epochs' | 'batchSize' | 'learningRate' | 'latentDim' | 'beta' | 'klWarmupEpochs' | 'maxFrames' | 'targetFpr' | 'seed'
  | 'conditionFrames' | 'mixtureComponents';

/** Fields that belong to one kind: shown and sent only for it (still checked, so a bad value is never hidden). */
export const KIND_FIELDS: Partial<Record<NumericField, ModelKind>> = { conditionFrames: 'cvae', mixtureComponents: 'gmvae' };
export type TrainField = keyof TrainFields;

export { DEFAULT_KIND } from '../../../shared/model-kinds.js';
import { DEFAULT_KIND } from '../../../shared/model-kinds.js';

export const emptyTrainFields = (): TrainFields => ({
  kind: DEFAULT_KIND,
  name: '',
  epochs: null,
  batchSize: null,
  learningRate: null,
  latentDim: null,
  beta: null,
  klWarmupEpochs: null,
  maxFrames: null,
  targetFpr: null,
  seed: null,
  backend: '',
  likelihood: '',
  useIgnoreMask: true,
  conditionFrames: null,
  mixtureComponents: null,
});

interface NumericRule {
  label: string;
  integer: boolean;
  min: number;
  /** The minimum itself is not allowed (a positive number). */
  minExclusive?: boolean;
  max: number;
  hint: string;
}

/** The ranges the app accepts (src/shared/schemas.ts trainRequestSchema); a test keeps the two in step. */
export const NUMERIC_RULES: Record<NumericField, NumericRule> = {
  epochs: { label: 'Epochs', integer: true, min: 1, max: 1000, hint: 'passes over the training frames' },
  batchSize: { label: 'Batch size', integer: true, min: 1, max: 1024, hint: 'frames per training step' },
  learningRate: { label: 'Learning rate', integer: false, min: 0, minExclusive: true, max: 1, hint: 'Adam step size, e.g. 0.001' },
  latentDim: { label: 'Latent size', integer: true, min: 1, max: 256, hint: 'dimensions of the latent space' },
  beta: { label: 'β (KL weight)', integer: false, min: 0, max: 100, hint: '1 is the standard VAE' },
  klWarmupEpochs: { label: 'KL warm-up (epochs)', integer: true, min: 0, max: 1000, hint: 'β rises from 0 over this many epochs' },
  maxFrames: { label: 'Max frames', integer: true, min: 20, max: 1_000_000, hint: 'spread evenly over the video' },
  targetFpr: { label: 'Target false-alarm rate', integer: false, min: 0, minExclusive: true, max: 0.5, hint: 'on held-out normal frames, e.g. 0.01' },
  seed: { label: 'Seed', integer: true, min: 0, max: 2 ** 31, hint: 'same seed, same model' },
  conditionFrames: { label: 'Earlier frames', integer: true, min: 1, max: MAX_CONDITION_FRAMES, hint: 'frame t is predicted from frames t−1 … t−k' },
  mixtureComponents: { label: 'Mixture components', integer: true, min: 1, max: MAX_MIXTURE_COMPONENTS, hint: 'classes K of the mixture prior' },
};

const NUMERIC_DEFAULTS: Record<NumericField, number> = {
  epochs: TRAIN_DEFAULTS.epochs,
  batchSize: TRAIN_DEFAULTS.batchSize,
  learningRate: TRAIN_DEFAULTS.learningRate,
  latentDim: DEFAULT_LATENT_DIM,
  beta: TRAIN_DEFAULTS.beta,
  klWarmupEpochs: TRAIN_DEFAULTS.klWarmupEpochs,
  maxFrames: TRAIN_DEFAULTS.maxFrames,
  targetFpr: TRAIN_DEFAULTS.targetFpr,
  seed: TRAIN_DEFAULTS.seed,
  conditionFrames: DEFAULT_CONDITION_FRAMES,
  mixtureComponents: DEFAULT_MIXTURE_COMPONENTS,
};

/**
 * What an empty field means, for its placeholder: the app's real default (TRAIN_DEFAULTS), and the
 * fine-tune default where that differs (FINE_TUNE_DEFAULTS).
 */
export function defaultPlaceholder(key: NumericField): string {
  const value = NUMERIC_DEFAULTS[key];
  const tune = (FINE_TUNE_DEFAULTS as Partial<Record<NumericField, number>>)[key];
  return tune !== undefined && tune !== value ? `${value} (fine-tune ${tune})` : String(value);
}

function numericProblem(rule: NumericRule, value: number): string | null {
  const range = `${rule.minExclusive ? `above ${rule.min}` : `from ${rule.min.toLocaleString('en-US')}`} ${rule.minExclusive ? 'and at most' : 'to'} ${rule.max.toLocaleString('en-US')}`;
  if (!Number.isFinite(value)) return `${rule.label} must be a number ${range}, or empty for the default.`;
  if (rule.integer && !Number.isInteger(value)) return `${rule.label} must be a whole number ${range}.`;
  const low = rule.minExclusive ? value <= rule.min : value < rule.min;
  if (low || value > rule.max) return `${rule.label} must be ${range}.`;
  return null;
}

export type TrainFormResult =
  | { ok: true; request: TrainRequest; warnings: string[] }
  | { ok: false; errors: Partial<Record<TrainField, string>> };

/** Check every field; on success, a request holding only the fields the analyst filled in. */
export function readTrainRequest(fields: TrainFields): TrainFormResult {
  const errors: Partial<Record<TrainField, string>> = {};
  const request: TrainRequest = {};
  if (!(MODEL_KINDS as readonly string[]).includes(fields.kind)) errors.kind = `Unknown model kind "${fields.kind}": choose one of ${MODEL_KINDS.join(', ')}.`;
  else if (fields.kind !== DEFAULT_KIND) request.kind = fields.kind;
  const name = fields.name.trim();
  if (name.length > 200) errors.name = `Name must be at most 200 characters (it has ${name.length}).`;
  else if (name) request.name = name;
  for (const key of Object.keys(NUMERIC_RULES) as NumericField[]) {
    const value = fields[key];
    if (value === null || value === undefined) continue;
    const problem = numericProblem(NUMERIC_RULES[key], value);
    const only = KIND_FIELDS[key];
    if (problem) errors[key] = problem;
    else if (!only || only === fields.kind) request[key] = value;
  }
  if (fields.backend) {
    if ((TRAINING_BACKENDS as readonly string[]).includes(fields.backend)) request.backend = fields.backend;
    else errors.backend = `Unknown backend "${fields.backend}": choose one of ${TRAINING_BACKENDS.join(', ')}, or automatic.`;
  }
  if (fields.likelihood) {
    if (LIKELIHOODS.includes(fields.likelihood)) request.likelihood = fields.likelihood;
    else errors.likelihood = `Unknown likelihood "${fields.likelihood}".`;
  }
  if (fields.useIgnoreMask === false) request.useIgnoreMask = false;
  if (Object.keys(errors).length) return { ok: false, errors };
  const warnings: string[] = [];
  if (request.epochs !== undefined && request.klWarmupEpochs !== undefined && request.klWarmupEpochs > request.epochs) {
    warnings.push(`The KL warm-up (${request.klWarmupEpochs} epochs) is longer than training (${request.epochs}): β will not reach its full value.`);
  }
  return { ok: true, request, warnings };
}
