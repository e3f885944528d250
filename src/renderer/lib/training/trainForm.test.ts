import { describe, expect, it } from 'vitest';
import { trainRequestSchema } from '../../../shared/schemas.js';
import { DEFAULT_LATENT_DIM, DEFAULT_LIKELIHOOD, TRAIN_DEFAULTS } from '../../../shared/train-defaults.js';
import { describeKind } from '../../../shared/model-kinds.js';
import { MODEL_KINDS } from '../../../shared/domain.js';
import { defaultPlaceholder, emptyTrainFields, LIKELIHOODS, NUMERIC_RULES, type NumericField, readTrainRequest, type TrainFields } from './trainForm.js';

const fields = (o: Partial<TrainFields> = {}): TrainFields => ({ ...emptyTrainFields(), ...o });

describe('readTrainRequest', () => {
  it('sends nothing for empty fields, so the app uses its defaults', () => {
    expect(readTrainRequest(fields())).toEqual({ ok: true, request: {}, warnings: [] });
    expect(readTrainRequest(fields({ name: '   ' }))).toEqual({ ok: true, request: {}, warnings: [] });
    // The ignore mask is on by default; only turning it off is sent.
    expect(readTrainRequest(fields({ useIgnoreMask: false }))).toEqual({ ok: true, request: { useIgnoreMask: false }, warnings: [] });
  });

  it('sends exactly the fields filled in', () => {
    const r = readTrainRequest(fields({ name: ' lobby night ', epochs: 30, learningRate: 5e-4, beta: 0, targetFpr: 0.02, backend: 'wasm', likelihood: 'gaussian-learned', seed: 7 }));
    expect(r).toEqual({
      ok: true,
      request: { name: 'lobby night', epochs: 30, learningRate: 5e-4, beta: 0, targetFpr: 0.02, backend: 'wasm', likelihood: 'gaussian-learned', seed: 7 },
      warnings: [],
    });
  });

  it('names the field and its range for each bad value', () => {
    const r = readTrainRequest(fields({ epochs: 0, batchSize: 2.5, learningRate: 0, targetFpr: 0.6, maxFrames: 10 }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({
      epochs: 'Epochs must be from 1 to 1,000.',
      batchSize: 'Batch size must be a whole number from 1 to 1,024.',
      learningRate: 'Learning rate must be above 0 and at most 1.',
      targetFpr: 'Target false-alarm rate must be above 0 and at most 0.5.',
      maxFrames: 'Max frames must be from 20 to 1,000,000.',
    });
  });

  it('rejects NaN (what a number input holds for text it cannot read) and an unknown backend', () => {
    const r = readTrainRequest(fields({ seed: NaN, backend: 'tpu' as TrainFields['backend'] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.seed).toMatch(/^Seed must be a number from 0/);
    expect(r.errors.backend).toMatch(/Unknown backend "tpu"/);
  });

  it('warns, without refusing, when the KL warm-up outlasts training', () => {
    const r = readTrainRequest(fields({ epochs: 4, klWarmupEpochs: 10 }));
    expect(r).toMatchObject({ ok: true, request: { epochs: 4, klWarmupEpochs: 10 } });
    expect(r.ok && r.warnings[0]).toMatch(/KL warm-up \(10 epochs\) is longer than training \(4\)/);
  });

  it('accepts exactly what the app accepts (trainRequestSchema), at and around every bound', () => {
    for (const [key, rule] of Object.entries(NUMERIC_RULES) as [NumericField, (typeof NUMERIC_RULES)[NumericField]][]) {
      const probes = [rule.min, rule.max, rule.min - 1, rule.max + 1, rule.min + 0.5, (rule.min + rule.max) / 2, rule.min + 1e-6, rule.max - 1e-6];
      for (const value of probes) {
        const mine = readTrainRequest(fields({ [key]: value })).ok;
        const app = trainRequestSchema.safeParse({ [key]: value }).success;
        expect({ key, value, accepted: mine }).toEqual({ key, value, accepted: app });
      }
    }
  });

  it("sends a kind's own fields only with that kind: earlier frames for cvae, mixture components for gmvae", () => {
    expect(readTrainRequest(fields({ kind: 'cvae', conditionFrames: 3 }))).toEqual({ ok: true, request: { kind: 'cvae', conditionFrames: 3 }, warnings: [] });
    expect(readTrainRequest(fields({ kind: 'gmvae', mixtureComponents: 6 }))).toEqual({ ok: true, request: { kind: 'gmvae', mixtureComponents: 6 }, warnings: [] });
    // Filled for another kind: not sent (the field is hidden then) ...
    expect(readTrainRequest(fields({ kind: 'vae', conditionFrames: 3, mixtureComponents: 6 }))).toEqual({ ok: true, request: {}, warnings: [] });
    // ... but a bad value is never hidden.
    const r = readTrainRequest(fields({ kind: 'cvae', conditionFrames: 9 }));
    expect(!r.ok && r.errors.conditionFrames).toMatch(/Earlier frames must be from 1 to 4/);
    expect(defaultPlaceholder('conditionFrames')).toBe('1');
    expect(defaultPlaceholder('mixtureComponents')).toBe('4');
  });

  it('sends the model kind unless it is the default vae, and refuses an unknown one', () => {
    expect(emptyTrainFields().kind).toBe('vae');
    expect(readTrainRequest(fields({ kind: 'vae' }))).toEqual({ ok: true, request: {}, warnings: [] });
    expect(readTrainRequest(fields({ kind: 'cvae' }))).toEqual({ ok: true, request: { kind: 'cvae' }, warnings: [] });
    const r = readTrainRequest(fields({ kind: 'made-up' as TrainFields['kind'] }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.kind).toMatch(/Unknown model kind "made-up"/);
  });
});

describe('defaults and kind descriptions', () => {
  it('placeholders are the app defaults, with the fine-tune default where it differs', () => {
    expect(defaultPlaceholder('epochs')).toBe('20 (fine-tune 15)');
    expect(defaultPlaceholder('klWarmupEpochs')).toBe('5 (fine-tune 0)');
    expect(defaultPlaceholder('learningRate')).toBe('0.001');
    expect(defaultPlaceholder('latentDim')).toBe(String(DEFAULT_LATENT_DIM));
    expect(defaultPlaceholder('seed')).toBe(String(TRAIN_DEFAULTS.seed));
    for (const key of Object.keys(NUMERIC_RULES) as NumericField[]) {
      const value = Number(defaultPlaceholder(key).split(' ')[0]);
      expect(trainRequestSchema.safeParse({ [key]: value }).success, key).toBe(true);
    }
    expect(LIKELIHOODS).toContain(DEFAULT_LIKELIHOOD);
  });

  it('every kind has a title and description; an unknown kind falls back instead of failing', () => {
    for (const kind of MODEL_KINDS) {
      expect(describeKind(kind).title.length).toBeGreaterThan(1);
      expect(describeKind(kind).description).not.toMatch(/Model kind “/);
    }
    const future = describeKind('normalizing-flow');
    expect(future.title).toBe('normalizing-flow');
    expect(future.priorSamples).toMatch(/does not know how to generate from a normalizing-flow model/);
  });
});
