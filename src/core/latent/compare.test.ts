import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { workerEntryBeside } from '../jobs/worker-host.js';
import { createLabel } from '../store/labels.js';
import { createModel, finishModel, replaceEvents, type ScoreRow, writeScores } from '../store/models.js';
import { Store } from '../store/store.js';
import { compareModels } from './compare.js';
import { createAppCore } from '../app/create-app.js';
import { handle } from '../app/handle.js';

const tmp = tempDir('lw-compare-');
afterAll(() => tmp.cleanup());

let store: Store;
let dbCount = 0;
beforeEach(() => {
  store = new Store(join(tmp.dir, `compare-${++dbCount}.db`));
});
afterEach(() => store.close());

const FRAME_SIZE = 2;

function addVideo(s: Store, frameCount: number, name = 'lobby.mp4'): number {
  const id = s.beginVideo({
    path: `/footage/${name}`, name, sizeBytes: 1, codec: 'h264', width: 8, height: 8, sourceFps: 10, durationSec: frameCount / 10, sampledFps: 10,
    frameSize: FRAME_SIZE, channels: 3,
  });
  const frames = Array.from({ length: frameCount }, (_, i) => ({ index: i, sourceFrame: i, ptsSec: i / 10 }));
  s.appendFrames(id, frames, new Uint8Array(frameCount * FRAME_SIZE * FRAME_SIZE * 3));
  s.finishVideo(id, `hash-${name}`);
  return id;
}

/** A ready model with a calibrated threshold (the blobs are placeholders: nothing here runs the network). */
function addModel(s: Store, videoId: number, name: string, threshold: number, parentId: number | null = null): number {
  const id = createModel(s, { kind: 'vae', name, config: { latentDim: 2, inputSize: FRAME_SIZE }, parentId, trainVideoId: videoId });
  finishModel(s, id, { weights: new Uint8Array([1]), onnx: new Uint8Array([2]), calibration: { threshold, lowThreshold: threshold - 1 }, metrics: { threshold }, backend: 'cpu' });
  return id;
}

function score(s: Store, modelId: number, videoId: number, combined: number[]): void {
  const rows: ScoreRow[] = combined.map((c, idx) => ({
    idx, recon: 0, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0, combined: c,
    mu: new Float32Array(2), logvar: new Float32Array(2),
  }));
  writeScores(s, modelId, videoId, rows);
}

const events = (...spans: Array<[number, number]>) => spans.map(([start, end]) => ({ start, end, peak: start, peakScore: 9 }));

/**
 * 20 frames: normal 0-9, unlabelled 10-11, incident 12-15, nuisance 16-17, an analyst's own class
 * (left out of every figure) 18-19.
 */
function labelledVideo(s: Store): number {
  const v = addVideo(s, 20);
  createLabel(s, { videoId: v, startIdx: 0, endIdx: 9, cls: 'normal' });
  createLabel(s, { videoId: v, startIdx: 12, endIdx: 15, cls: 'incident' });
  createLabel(s, { videoId: v, startIdx: 16, endIdx: 17, cls: 'nuisance' });
  createLabel(s, { videoId: v, startIdx: 18, endIdx: 19, cls: 'vehicle' });
  return v;
}

describe('compareModels', () => {
  it('scores each version on the labels: AUC, false alarms and detections at its own threshold', () => {
    const v = labelledVideo(store);
    const parent = addModel(store, v, 'VAE v1', 5);
    //                normal 0-9                     unl.   incident     nuis.  vehicle
    score(store, parent, v, [1, 1, 1, 1, 1, 1, 1, 1, 6, 1, 9, 9, 7, 8, 2, 9, 1, 5, 10, 10]);
    // [8,8] only normal: a false alarm. [9,12] touches the incident: found it. [10,15] unlabelled + incident.
    // [17,19] nuisance + another class: a false alarm.
    replaceEvents(store, parent, v, events([8, 8], [9, 12], [10, 15], [17, 19]), 5);
    const child = addModel(store, v, 'VAE v2', 5, parent);
    score(store, child, v, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 1, 1, 1, 1]);
    replaceEvents(store, child, v, events([12, 15]), 5);

    const c = compareModels(store, v, [parent, child]);
    expect(c).toMatchObject({ videoId: v, normalFrames: 12, incidentFrames: 4 });
    expect(c.rows).toHaveLength(2);
    const [p, ch] = c.rows;
    // Positives 7, 8, 9 beat all 12 negatives; 2 beats the ten 1s only: (3 * 12 + 10) / (4 * 12).
    expect(p!.auc).toBeCloseTo(46 / 48, 12);
    expect(p).toMatchObject({ modelId: parent, name: 'VAE v1', scored: true, threshold: 5 });
    // Frame 8 (6) and frame 17 (5: at the threshold counts) are false alarms; 7, 8, 9 detected, 2 missed.
    expect(p).toMatchObject({ falseAlarmFrames: 2, detectedFrames: 3, falseAlarmEvents: 2 });
    expect(p!.meanNormalScore).toBeCloseTo((10 * 1 + 6 + 5) / 12, 12);
    // (The rows also carry the per-class counts and verdict fields of the retrain loop: toMatchObject.)
    expect(ch).toMatchObject({
      modelId: child, name: 'VAE v2', scored: true, auc: 1, falseAlarmFrames: 0, falseAlarmEvents: 0, detectedFrames: 4, meanNormalScore: 1, threshold: 5,
    });
    expect(ch!.classes).toEqual({ incident: { frames: 4, flagged: 4 }, normal: { frames: 10, flagged: 0 }, nuisance: { frames: 2, flagged: 0 }, tamper: { frames: 0, flagged: 0 } });
  });

  it('gives a row of nulls for a version that has not scored the video, and keeps the order asked', () => {
    const v = labelledVideo(store);
    const scored = addModel(store, v, 'scored', 5);
    score(store, scored, v, Array.from({ length: 20 }, () => 1));
    const other = addVideo(store, 20, 'yard.mp4');
    const unscored = addModel(store, other, 'trained elsewhere', 3);
    const c = compareModels(store, v, [unscored, scored, unscored]);
    expect(c.rows.map((r) => r.modelId)).toEqual([unscored, scored]);
    expect(c.rows[0]).toMatchObject({
      modelId: unscored, name: 'trained elsewhere', scored: false, auc: null, falseAlarmFrames: null, falseAlarmEvents: null, detectedFrames: null,
      meanNormalScore: null, threshold: null, classes: null,
    });
    // A constant score cannot tell the classes apart.
    expect(c.rows[1]).toMatchObject({ scored: true, auc: 0.5, falseAlarmFrames: 0, detectedFrames: 0, falseAlarmEvents: 0 });
  });

  it('has no AUC without both positives and negatives, and no normal-score mean without negatives', () => {
    const v = addVideo(store, 10);
    const m = addModel(store, v, 'm', 2);
    score(store, m, v, [1, 3, 1, 1, 1, 1, 1, 1, 1, 1]);
    replaceEvents(store, m, v, events([1, 1]), 2);
    expect(compareModels(store, v, [m])).toMatchObject({
      videoId: v, normalFrames: 0, incidentFrames: 0,
      rows: [{ modelId: m, name: 'm', scored: true, auc: null, falseAlarmFrames: 0, falseAlarmEvents: 0, detectedFrames: 0, meanNormalScore: null, threshold: 2 }],
    });
    createLabel(store, { videoId: v, startIdx: 0, endIdx: 4, cls: 'nuisance' });
    const onlyNormal = compareModels(store, v, [m]);
    expect(onlyNormal.normalFrames).toBe(5);
    expect(onlyNormal.rows[0]).toMatchObject({ auc: null, falseAlarmFrames: 1, falseAlarmEvents: 1, meanNormalScore: 7 / 5 });
  });

  it('lets the latest label decide a frame where labels overlap', () => {
    const v = addVideo(store, 10);
    createLabel(store, { videoId: v, startIdx: 0, endIdx: 9, cls: 'normal' });
    createLabel(store, { videoId: v, startIdx: 6, endIdx: 7, cls: 'tamper' });
    const m = addModel(store, v, 'm', 4);
    score(store, m, v, [1, 1, 1, 1, 1, 1, 5, 5, 1, 1]);
    replaceEvents(store, m, v, events([6, 8]), 4);
    const c = compareModels(store, v, [m]);
    expect(c).toMatchObject({ normalFrames: 8, incidentFrames: 2 });
    expect(c.rows[0]).toMatchObject({ auc: 1, falseAlarmFrames: 0, detectedFrames: 2, falseAlarmEvents: 0 });
  });

  it('counts only the frames that were scored', () => {
    const v = addVideo(store, 10);
    createLabel(store, { videoId: v, startIdx: 0, endIdx: 4, cls: 'normal' });
    createLabel(store, { videoId: v, startIdx: 5, endIdx: 9, cls: 'incident' });
    const m = addModel(store, v, 'm', 4);
    // Only frames 3..6 have scores (e.g. a partial score run).
    writeScores(store, m, v, [3, 4, 5, 6].map((idx) => ({
      idx, recon: 0, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0, combined: idx >= 5 ? 8 : 4,
      mu: new Float32Array(2), logvar: new Float32Array(2),
    })));
    const c = compareModels(store, v, [m]);
    expect(c).toMatchObject({ normalFrames: 5, incidentFrames: 5 });
    expect(c.rows[0]).toMatchObject({ auc: 1, falseAlarmFrames: 2, detectedFrames: 2, meanNormalScore: 4 });
  });

  it('fails clearly for an unknown video or model', () => {
    const v = labelledVideo(store);
    expect(() => compareModels(store, v, [999])).toThrow(/no model 999/);
    expect(() => compareModels(store, 999, [])).toThrow(/999/);
  });
});

describe('compareModels through the API', () => {
  it('is served by AppApiImpl with its arguments validated', async () => {
    const core = createAppCore({ dbPath: join(tmp.dir, 'api.db'), mode: 'browser', worker: workerEntryBeside(import.meta.url) });
    try {
      const v = labelledVideo(core.store);
      const m = addModel(core.store, v, 'VAE v1', 5);
      score(core.store, m, v, Array.from({ length: 20 }, (_, i) => (i >= 12 && i <= 15 ? 9 : 1)));
      const ok = await handle(core.api, 'compareModels', [v, [m]], () => {});
      expect(ok).toMatchObject({ ok: true, value: { videoId: v, normalFrames: 12, incidentFrames: 4, rows: [{ modelId: m, auc: 1, detectedFrames: 4 }] } });
      const none = await handle(core.api, 'compareModels', [v, []], () => {});
      expect(none).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
      const missing = await handle(core.api, 'compareModels', [v, [m + 100]], () => {});
      expect(missing).toMatchObject({ ok: false, error: { name: 'NotFoundError' } });
    } finally {
      core.close();
    }
  });
});
