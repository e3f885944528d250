/**
 * Every model kind's driver (driver.ts), registered once. Training, scoring, the frame view,
 * generation, the API and the CLI dispatch through here instead of comparing kind names; the UI reads
 * the same facts from shared/model-kinds.ts (each driver's `info`). A new kind: a folder (or a driver
 * in its family's folder) and one line below, and its entry in MODEL_KINDS / model-kinds.ts.
 */
import { MODEL_KINDS, type ModelKind } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { describeKind } from '../../shared/model-kinds.js';
import { BGDIFF_DRIVER, PCA_DRIVER } from './baseline/driver.js';
import type { KindOption, ModelKindDriver } from './driver.js';
import { AE_DRIVER, CVAE_DRIVER, GMVAE_DRIVER, VAE_DRIVER, VAE_GP_DRIVER } from './vae/driver.js';
import { VQ_PIXELCNN_DRIVER } from './vq-pixelcnn/driver.js';
import { VQ_VAE_DRIVER } from './vq-vae/driver.js';

const DRIVERS: Readonly<Record<ModelKind, ModelKindDriver>> = {
  vae: VAE_DRIVER,
  ae: AE_DRIVER,
  'vae-gp': VAE_GP_DRIVER,
  cvae: CVAE_DRIVER,
  gmvae: GMVAE_DRIVER,
  'vq-vae': VQ_VAE_DRIVER,
  'vq-pixelcnn': VQ_PIXELCNN_DRIVER,
  pca: PCA_DRIVER,
  bgdiff: BGDIFF_DRIVER,
};

/** The kind a training without one trains (the first of MODEL_KINDS). */
export { DEFAULT_KIND } from '../../shared/model-kinds.js';

/** The driver of a kind name, or null for a kind this version does not know (a library from a newer one). */
export function findDriver(kind: string): ModelKindDriver | null {
  return Object.hasOwn(DRIVERS, kind) ? DRIVERS[kind as ModelKind] : null;
}

/** The driver of a kind name; an unknown kind is an UnsupportedModelKindError. */
export function kindDriver(kind: string): ModelKindDriver {
  const d = findDriver(kind);
  if (!d) throw new AppError('UnsupportedModelKindError', `This version of LatentWatch does not know model kind “${kind}” (it knows ${MODEL_KINDS.join(', ')}).`);
  return d;
}

/** Every registered driver, in MODEL_KINDS order. */
export const allDrivers = (): ModelKindDriver[] => MODEL_KINDS.map((k) => DRIVERS[k]);

/** Whether a new version can be fine-tuned from a model of this kind (false for unknown kinds). */
export const canFineTune = (kind: string): boolean => findDriver(kind)?.canFineTune ?? false;

/** Why a model of this kind cannot be fine-tuned (shared/model-kinds.ts), or null when it can. */
export const fineTuneRefusal = (kind: string): string | null => (findDriver(kind)?.info ?? describeKind(kind)).fineTune;

/** Whether a training option that only some kinds read (cvae's conditionFrames, gmvae's mixtureComponents) applies to a kind. */
export const kindTakesOption = (kind: string, option: KindOption): boolean => findDriver(kind)?.trainOptions.includes(option) ?? false;

export type { KindOption, ModelKindDriver };
