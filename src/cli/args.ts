/** Argument parsing shared by the commands: the usage error and checked numbers, kinds and likelihoods. */
import { z } from 'zod';
import { LIKELIHOODS, type Likelihood, MODEL_KINDS, type ModelKind } from '../shared/domain.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export const num = (name: string, v: string | undefined, schema: z.ZodNumber): number | undefined => {
  if (v === undefined) return undefined;
  const r = schema.safeParse(Number(v));
  if (!r.success) throw new UsageError(`--${name} ${v}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
};

export const posInt = z.number().int().positive();

export function parseLikelihood(v: string): Likelihood {
  if (!(LIKELIHOODS as readonly string[]).includes(v)) throw new UsageError(`--likelihood ${v}: choose one of ${LIKELIHOODS.join(', ')}`);
  return v as Likelihood;
}

export function parseKind(v: string | undefined): ModelKind | undefined {
  if (v === undefined) return undefined;
  if (!(MODEL_KINDS as readonly string[]).includes(v)) throw new UsageError(`--kind ${v}: choose one of ${MODEL_KINDS.join(', ')}`);
  return v as ModelKind;
}

/** X,Y,W,H in normalized 0..1 frame coordinates. */
export function parseRect(v: string): { x: number; y: number; width: number; height: number } {
  const parts = v.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) throw new UsageError(`--rect ${v}: give X,Y,W,H as four numbers in 0..1, e.g. 0,0,0.3,0.1`);
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

