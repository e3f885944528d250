/**
 * A stored model's config and calibration, parsed once with zod into a union keyed by kind, instead of
 * being read back as `unknown` and cast where used. The schemas check what the engine reads (frame
 * size, latent size, earlier frames, mixture prior, ignore mask, threshold and rates) and keep the
 * rest as stored (`loose`): records written by older versions, with fewer fields, still parse.
 */
import { z } from 'zod';
import type { ModelKind } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import type { DecoderLikelihood } from '../ml/vae/spec.js';
import type { StoredMixture } from '../ml/vae/mixture-prior.js';
import type { VqConfig } from '../ml/vq/vq-vae.js';
import type { PixelCnnConfig } from '../ml/pixelcnn/pixelcnn.js';
import type { Calibration } from '../scoring/calibrate.js';
import { getModel, type ModelRecord } from '../store/models.js';
import type { Store } from '../store/store.js';
import type { ModelIgnoreMask } from './training.js';

const count = z.number().int().positive();
const numbers = z.array(z.number());

const ignoreMask = z.looseObject({
  rects: z.array(z.looseObject({ x: z.number(), y: z.number(), width: z.number(), height: z.number() })),
  size: count,
  ignoredPixels: z.number().int().min(0),
});
const mixture = z.looseObject({ k: count, dim: count, weights: numbers, means: numbers, vars: numbers });

/** What every kind's config holds: its frame size and the ignore mask it was trained with (null or absent: none). */
const commonConfig = { inputSize: count, ignoreMask: ignoreMask.nullish() };

const vaeConfig = z.looseObject({
  ...commonConfig,
  channels: count.optional(),
  filters: z.array(count).optional(),
  latentDim: count,
  likelihood: z.string().optional(),
  /** cvae: earlier frames each frame is predicted from. */
  conditionFrames: z.number().int().min(0).optional(),
  /** gmvae: its learned prior. */
  mixture: mixture.optional(),
});
const vqConfig = z.looseObject({ ...commonConfig, channels: count, filters: z.array(count).min(1), codebookSize: count, beta: z.number() });
/** vq-pixelcnn: the VQ-VAE's config plus its PixelCNN prior's (ml/pixelcnn: K codes on the G×G grid, the architecture). */
const codePrior = z.looseObject({ codes: count, height: count, width: count, channels: count, layers: count, kernel: count, hidden: count });
const vqPixelCnnConfig = vqConfig.extend({ prior: codePrior });
const baselineConfig = z.looseObject({ ...commonConfig, k: count.optional(), explained: z.number().optional() });

/**
 * The threshold is required; the other fields are checked where present, and may be null: what older
 * versions stored varies, and a statistic that was NaN when stored reads back as null (JSON).
 */
const maybeNumber = z.number().nullish();
const maybeNumbers = z.array(z.number().nullable()).optional();
const calibration = z.looseObject({
  version: z.literal(2).optional(),
  threshold: z.number(),
  lowThreshold: maybeNumber,
  targetFpr: maybeNumber,
  sampledFps: maybeNumber,
  components: z.record(z.string(), z.looseObject({ median: maybeNumber, scale: maybeNumber })).optional(),
  patchMean: maybeNumbers,
  patchStd: maybeNumbers,
  latentScale: maybeNumbers,
  rule: z.record(z.string(), z.enum(['upper', 'both'])).optional(),
});

const vaeFamilyKinds = z.enum(['vae', 'ae', 'vae-gp', 'cvae', 'gmvae']);
const recordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: vaeFamilyKinds, config: vaeConfig }),
  z.object({ kind: z.literal('vq-vae'), config: vqConfig }),
  z.object({ kind: z.literal('vq-pixelcnn'), config: vqPixelCnnConfig }),
  z.object({ kind: z.enum(['pca', 'bgdiff']), config: baselineConfig }),
]);

/** What every kind's config holds; the rest of what training stored (train options, key, pool, ...) is kept as it was. */
interface CommonConfig {
  inputSize: number;
  /** The ignore mask it was trained with and scores with (null or absent: none). */
  ignoreMask?: ModelIgnoreMask | null;
  [stored: string]: unknown;
}
/** A VAE-family model's config as stored (ml/vae/spec.ts VaeConfig, plus what training adds). */
export interface VaeRecordConfig extends CommonConfig {
  latentDim: number;
  channels?: number;
  filters?: number[];
  likelihood?: DecoderLikelihood;
  conditionFrames?: number;
  mixture?: StoredMixture;
}
export interface VqRecordConfig extends CommonConfig, VqConfig {}
export interface VqPixelCnnRecordConfig extends VqRecordConfig {
  /** The PixelCNN prior over the code grid (its weights are stored with the VQ-VAE's: models/vq-pixelcnn/weights.ts). */
  prior: PixelCnnConfig;
}
export interface BaselineRecordConfig extends CommonConfig {
  k?: number;
  explained?: number;
}

type Base = Omit<ModelRecord, 'kind' | 'config' | 'calibration'> & {
  /** Null while the model is training (it has none yet). */
  calibration: Calibration | null;
};

export type VaeFamilyModel = Base & { kind: 'vae' | 'ae' | 'vae-gp' | 'cvae' | 'gmvae'; config: VaeRecordConfig };
export type VqModel = Base & { kind: 'vq-vae'; config: VqRecordConfig };
export type VqPixelCnnModel = Base & { kind: 'vq-pixelcnn'; config: VqPixelCnnRecordConfig };
export type BaselineModel = Base & { kind: 'pca' | 'bgdiff'; config: BaselineRecordConfig };
/** A stored model with its config and calibration parsed, keyed by kind. */
export type ParsedModel = VaeFamilyModel | VqModel | VqPixelCnnModel | BaselineModel;

/** Every kind in MODEL_KINDS has a record schema above: a new kind fails to compile here until it has one. */
type Unparsed = Exclude<ModelKind, ParsedModel['kind']> | Exclude<ModelKind, z.infer<typeof recordSchema>['kind']>;
export const EVERY_KIND_HAS_A_RECORD: [Unparsed] extends [never] ? true : Unparsed = true;

const problem = (e: z.ZodError): string => e.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');

/** Parse a stored model; a kind this version does not know, or a record that does not fit its kind, is an error that says which. */
export function parseModelRecord(m: ModelRecord): ParsedModel {
  const r = recordSchema.safeParse({ kind: m.kind, config: m.config });
  if (!r.success) {
    if (r.error.issues.some((i) => i.path.length === 1 && i.path[0] === 'kind'))
      throw new AppError('UnsupportedModelKindError', `Model ${m.id} is a ${m.kind}: this version of LatentWatch does not know that kind.`);
    throw new AppError('StoreError', `Model ${m.id} (${m.kind}) has a config this version cannot read: ${problem(r.error)}.`);
  }
  let calib: Calibration | null = null;
  if (m.calibration !== null && m.calibration !== undefined) {
    const c = calibration.safeParse(m.calibration);
    if (!c.success) throw new AppError('StoreError', `Model ${m.id} has a calibration this version cannot read: ${problem(c.error)}.`);
    // The checked fields are Calibration's; the kind-specific rest (tails, gp, rarity, mixture, scales) is kept as stored.
    calib = c.data as unknown as Calibration;
  }
  // The schemas check the fields the interfaces above name; the rest is kept as stored.
  return { ...m, ...(r.data as unknown as Pick<ParsedModel, 'kind' | 'config'>), calibration: calib } as ParsedModel;
}

/** getModel, parsed. */
export const getParsedModel = (store: Store, id: number): ParsedModel => parseModelRecord(getModel(store, id));

/** A parsed model that has its calibration (is ready); otherwise NotReadyError. */
export function calibrationOf(m: ParsedModel): Calibration {
  if (!m.calibration) throw new AppError('NotReadyError', `Model ${m.id} is not ready (${m.status}): it has no calibration yet.`);
  return m.calibration;
}

/** The model as a VAE-family one (vae, ae, vae-gp, cvae, gmvae: one conv VAE and its config); otherwise a StoreError. */
export function vaeFamilyModel(m: ParsedModel): VaeFamilyModel {
  if (!vaeFamilyKinds.safeParse(m.kind).success) throw new AppError('StoreError', `Model ${m.id} is a ${m.kind}, not a VAE-family model.`);
  return m as VaeFamilyModel;
}
