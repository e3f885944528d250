/**
 * Train a model of any kind on a stored video: the entry point (worker jobs, the CLI, evaluation)
 * that asks the registry for the kind's driver (src/core/models/) and lets it train, export,
 * calibrate and store the new version. A fine-tune keeps its parent's kind, and is refused for kinds
 * that cannot be fine-tuned (ModelKindDriver.canFineTune, the same answer the app and the CLI give).
 */
import { AppError } from '../../shared/envelope.js';
import { DEFAULT_KIND, kindDriver } from '../models/registry.js';
import type { EngineHooks, TrainModelOptions, TrainModelResult } from '../models/training.js';
import { getParsedModel } from '../models/records.js';
import type { Store } from '../store/store.js';

// Re-exported for the engine's callers (the CLI, the worker, evaluation, tests).
export { calibrateAndScore, type CalibrateOptions } from '../scoring/calibrate-network.js';
export { concatMu, eventOptions } from '../scoring/pass.js';
export { MIXTURE_LABEL_COMPONENTS, mixtureLabels } from '../models/vae/train.js';
export { DEFAULT_MIXTURE_COMPONENTS } from '../../shared/train-defaults.js';
export {
  type EngineHooks,
  FINE_TUNE_DEFAULTS,
  type ModelIgnoreMask,
  totalTrainSeconds,
  TRAIN_DEFAULTS,
  trainingIgnoreMask,
  type TrainModelOptions,
  type TrainModelResult,
} from '../models/training.js';

export async function trainModel(store: Store, o: TrainModelOptions, hooks: EngineHooks = {}): Promise<TrainModelResult> {
  if (!o.parentModelId) return kindDriver(o.kind ?? DEFAULT_KIND).train(store, o, hooks);
  const parent = getParsedModel(store, o.parentModelId);
  const driver = kindDriver(parent.kind);
  // What the parent fixes is checked first: a fine-tune keeps its parent's earlier frames (a cvae's).
  const stored = parent.config.conditionFrames;
  const earlier = typeof stored === 'number' ? stored : 0;
  if (o.conditionFrames !== undefined && o.conditionFrames !== earlier) throw new AppError('TrainingInputError', `A fine-tune keeps its parent's ${earlier} earlier frame(s).`);
  // A fine-tune keeps its parent's kind; a kind asked for beside it must be one that can be fine-tuned too.
  for (const d of o.kind ? [driver, kindDriver(o.kind)] : [driver])
    if (!d.canFineTune) throw new AppError('TrainingInputError', `Model ${parent.id} is a ${parent.kind}${d === driver ? '' : ` and a ${d.kind} was asked for`}: a ${d.info.title} model cannot be fine-tuned (${d.info.fineTune}).`);
  return driver.train(store, o, hooks);
}
