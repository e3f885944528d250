import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { MODEL_KINDS } from '../../shared/domain.js';
import { describeKind } from '../../shared/model-kinds.js';
import { trainModel } from '../engine/train-model.js';
import { IW_KINDS } from '../engine/iw-scores.js';
import { createModel, finishModel, type ModelRecord } from '../store/models.js';
import { calibrationOf, parseModelRecord } from './records.js';
import { Store } from '../store/store.js';
import { allDrivers, canFineTune, findDriver, fineTuneRefusal, kindDriver, kindTakesOption } from './registry.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('the model-kind registry', () => {
  it('has one driver per kind, in MODEL_KINDS order, describing itself as shared/model-kinds.ts does', () => {
    expect(allDrivers().map((d) => d.kind)).toEqual([...MODEL_KINDS]);
    for (const d of allDrivers()) {
      expect(d.info).toEqual(describeKind(d.kind));
      expect(d.canFineTune).toBe(d.info.fineTune === null);
      expect(d.canGenerate).toEqual({ priorSamples: d.info.priorSamples === null, traversal: d.info.traversal === null });
      expect(d.scoreComponents).toContain('combined');
      expect(Object.keys(d.combination).length).toBeGreaterThan(0);
    }
    // Where a traversal without a frame is centred: the UI's words (generationRequest.ts) and the engine agree.
    expect(allDrivers().filter((d) => d.traversalFromPrior).map((d) => d.kind)).toEqual(['vae', 'vae-gp']);
    expect(MODEL_KINDS.filter((k) => describeKind(k).traversalFromPrior)).toEqual(['vae', 'vae-gp']);
  });

  it('gives one answer to "can this kind be fine-tuned": the app\'s (vae and gmvae)', () => {
    expect(MODEL_KINDS.filter(canFineTune)).toEqual(['vae', 'gmvae']);
    expect(fineTuneRefusal('pca')).toMatch(/fitted in one pass/);
    expect(fineTuneRefusal('vae')).toBeNull();
    expect(canFineTune('normalizing-flow')).toBe(false);
    expect(fineTuneRefusal('normalizing-flow')).toBe(describeKind('normalizing-flow').fineTune);
  });

  it('says which kind-specific training options a kind reads, and which kinds have an importance-weighted bound', () => {
    expect(MODEL_KINDS.filter((k) => kindTakesOption(k, 'conditionFrames'))).toEqual(['cvae']);
    expect(MODEL_KINDS.filter((k) => kindTakesOption(k, 'mixtureComponents'))).toEqual(['gmvae']);
    expect(IW_KINDS).toEqual(['vae', 'vae-gp', 'cvae', 'gmvae']);
  });

  it('refuses kinds it does not know by name', () => {
    expect(findDriver('normalizing-flow')).toBeNull();
    expect(() => kindDriver('normalizing-flow')).toThrow(expect.objectContaining({ name: 'UnsupportedModelKindError' }));
  });

  it('the engine refuses a fine-tune the app refuses, before any training', async () => {
    const store = new Store(join(tmp.dir, 'ft.db'));
    const videoId = store.beginVideo({ path: '/x/a.mp4', name: 'a', sizeBytes: 1, codec: 'h264', width: 16, height: 16, sourceFps: 5, durationSec: 1, sampledFps: 5, frameSize: 16, channels: 3 });
    const configs: Record<string, unknown> = { 'vq-vae': { inputSize: 16, channels: 3, filters: [8, 8], codebookSize: 64, beta: 0.25 }, pca: { inputSize: 16 }, bgdiff: { inputSize: 16 } };
    for (const kind of ['ae', 'vae-gp', 'cvae', 'vq-vae', 'pca', 'bgdiff']) {
      const id = createModel(store, { kind, name: kind, config: configs[kind] ?? { inputSize: 16, latentDim: 4 }, trainVideoId: videoId });
      finishModel(store, id, { weights: new Uint8Array(1), onnx: new Uint8Array(1), calibration: { threshold: 1 }, metrics: {}, backend: 'none' });
      await expect(trainModel(store, { videoId, parentModelId: id, checkpointDir: join(tmp.dir, 'ck') }), kind).rejects.toThrow(/cannot be fine-tuned/);
    }
    // A kind asked for beside a parent must be one that can be fine-tuned too.
    const vae = createModel(store, { kind: 'vae', name: 'vae', config: { inputSize: 16, latentDim: 4 }, trainVideoId: videoId });
    await expect(trainModel(store, { videoId, kind: 'pca', parentModelId: vae, checkpointDir: join(tmp.dir, 'ck') })).rejects.toThrow(/cannot be fine-tuned/);
    store.close();
  });
});

describe('stored model records', () => {
  const record = (kind: string, config: unknown, calibration: unknown = null): ModelRecord => ({ id: 7, kind, name: 'm', config, parentId: null, trainVideoId: 1, status: 'ready', backend: null, calibration, metrics: null, createdAt: '' });
  const calibration = { threshold: 2, lowThreshold: 1, targetFpr: 0.05, sampledFps: 5, components: { recon: { median: 0, scale: 1 } }, patchMean: [], patchStd: [], latentScale: [], tails: { recon: { kept: 'as stored' } } };

  it('parses config and calibration once, keyed by kind, keeping what it does not check', () => {
    const m = parseModelRecord(record('gmvae', { inputSize: 16, latentDim: 4, mixture: { k: 2, dim: 4, weights: [0.5, 0.5], means: [], vars: [] }, key: 'abc' }, calibration));
    expect(m.kind).toBe('gmvae');
    if (m.kind !== 'gmvae') return;
    expect(m.config.mixture?.k).toBe(2);
    expect(m.config.key).toBe('abc');
    expect(calibrationOf(m).threshold).toBe(2);
    expect(m.calibration?.tails).toEqual({ recon: { kept: 'as stored' } });
    expect(parseModelRecord(record('pca', { inputSize: 16 })).calibration).toBeNull();
  });

  it('says which model and field it cannot read, and refuses kinds it does not know', () => {
    expect(() => parseModelRecord(record('vae', { inputSize: 16 }))).toThrow(/Model 7 \(vae\) has a config .*latentDim/);
    expect(() => parseModelRecord(record('vae', { inputSize: 16, latentDim: 4 }, { threshold: 'high' }))).toThrow(expect.objectContaining({ name: 'StoreError' }));
    expect(() => parseModelRecord(record('normalizing-flow', {}))).toThrow(expect.objectContaining({ name: 'UnsupportedModelKindError' }));
    expect(() => calibrationOf(parseModelRecord(record('pca', { inputSize: 16 })))).toThrow(expect.objectContaining({ name: 'NotReadyError' }));
  });
});
