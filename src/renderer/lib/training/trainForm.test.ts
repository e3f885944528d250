import { describe, expect, it } from 'vitest';
import { trainRequestSchema } from '../../../shared/schemas.js';
import { emptyTrainFields, NUMERIC_RULES, type NumericField, readTrainRequest, type TrainFields } from './trainForm.js';

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
});
