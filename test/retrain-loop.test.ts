/**
 * The retrain loop end to end on a synthetic scene (32 px, tiny model): a parent trained on quiet
 * footage flags three events on a second video; the analyst labels one incident and one nuisance and
 * leaves the third (an occlusion) unreviewed; the fine-tune must keep detecting the incident and the
 * unreviewed occlusion (it never trains on them) while the nuisance's score falls; the comparison
 * must call it an improvement, not a regression. Numbers are printed for the record.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareModels } from '../src/core/latent/compare.js';
import { scoreVideo } from '../src/core/engine/score-video.js';
import { trainModel } from '../src/core/engine/train-model.js';
import { mulberry32 } from '../src/core/ml/prng.js';
import { createLabel } from '../src/core/store/labels.js';
import { getModel, readScores } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const SIZE = 32;
const FRAMES = 300;
const INCIDENT = { start: 60, end: 89 }; // a dark green figure walking along the bottom
const NUISANCE = { start: 150, end: 179 }; // a soft headlight glow sweeping across (a false alarm)
const OCCLUSION = { start: 230, end: 259 }; // a black box over the top-right corner, never reviewed
type Span = typeof INCIDENT;
let store: Store;
let trainVideo: number;
let reviewed: number;

function frame(i: number, rand: () => number, events: boolean): Uint8Array {
  const px = new Uint8Array(SIZE * SIZE * 3);
  const set = (x: number, y: number, rgb: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= SIZE || y >= SIZE) return;
    for (let c = 0; c < 3; c++) px[(y * SIZE + x) * 3 + c] = rgb[c]!;
  };
  // Normal footage: a lit gradient whose brightness drifts a little (clouds), plus sensor noise.
  const gain = 1 + 0.06 * Math.sin(i * 0.21) + 0.03 * Math.sin(i * 0.053 + 1);
  const within = (s: Span) => events && i >= s.start && i <= s.end;
  // The nuisance: a soft headlight glow sweeping across the middle (no edges: a model can learn it).
  const glow = within(NUISANCE) ? { x: 30 - 0.8 * (i - NUISANCE.start), y: 12 } : null;
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const light = glow ? 80 * Math.exp(-((x - glow.x) ** 2 + (y - glow.y) ** 2) / (2 * 5 ** 2)) : 0;
      for (let c = 0; c < 3; c++) px[(y * SIZE + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(gain * (70 + 50 * (x / SIZE) + 30 * (y / SIZE) + 15 * c) + light + (rand() - 0.5) * 14)));
    }
  if (!events) return px;
  if (within(INCIDENT)) {
    const x0 = 2 + (i - INCIDENT.start);
    for (let y = 18; y < 30; y++) for (let x = x0; x < x0 + 5; x++) set(x, y, [20, 90, 40]);
  }
  if (within(OCCLUSION)) for (let y = 0; y < 14; y++) for (let x = 16; x < SIZE; x++) set(x, y, [0, 0, 0]);
  return px;
}

function addVideo(name: string, seed: number, events: boolean): number {
  const id = store.beginVideo({ path: `/synthetic/${name}`, name, sizeBytes: 1, codec: 'raw', width: SIZE, height: SIZE, sourceFps: 10, durationSec: FRAMES / 10, sampledFps: 10, frameSize: SIZE, channels: 3 });
  const rand = mulberry32(seed);
  for (let first = 0; first < FRAMES; first += 50) {
    const px = new Uint8Array(50 * SIZE * SIZE * 3);
    for (let k = 0; k < 50; k++) px.set(frame(first + k, rand, events), k * SIZE * SIZE * 3);
    store.appendFrames(id, Array.from({ length: 50 }, (_, k) => ({ index: first + k, sourceFrame: first + k, ptsSec: (first + k) / 10 })), px);
  }
  store.finishVideo(id, 'synthetic');
  return id;
}

beforeAll(() => {
  store = new Store(join(tmp.dir, 'loop.db'));
  trainVideo = addVideo('quiet.mp4', 11, false);
  reviewed = addVideo('night.mp4', 12, true);
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

/** Share of a span's frames at or over the model's own threshold, and the span's mean score over that threshold. */
function spanStats(modelId: number, s: Span): { detected: number; level: number } {
  const t = (getModel(store, modelId).calibration as { threshold: number }).threshold;
  const c = readScores(store, modelId, reviewed).combined;
  let over = 0;
  let sum = 0;
  for (let i = s.start; i <= s.end; i++) {
    if (c[i]! >= t) over++;
    sum += c[i]!;
  }
  const n = s.end - s.start + 1;
  return { detected: over / n, level: sum / n / t };
}

describe('retrain loop on a synthetic scene', () => {
  it('keeps the incident and the unreviewed occlusion detected while the labelled nuisance stops alarming', async () => {
    const ck = join(tmp.dir, 'ck');
    const parent = await trainModel(store, { videoId: trainVideo, epochs: 8, latentDim: 8, batchSize: 16, backend: 'wasm', filters: [8, 16], klWarmupEpochs: 0, seed: 5, checkpointDir: ck });
    await scoreVideo(store, parent.modelId, reviewed);
    const before = { incident: spanStats(parent.modelId, INCIDENT), nuisance: spanStats(parent.modelId, NUISANCE), occlusion: spanStats(parent.modelId, OCCLUSION) };
    // The parent sees all three (it never saw anything but quiet footage).
    for (const s of Object.values(before)) expect(s.detected).toBeGreaterThanOrEqual(0.9);

    createLabel(store, { videoId: reviewed, startIdx: INCIDENT.start, endIdx: INCIDENT.end, cls: 'incident' });
    createLabel(store, { videoId: reviewed, startIdx: NUISANCE.start, endIdx: NUISANCE.end, cls: 'nuisance' });
    const child = await trainModel(store, { videoId: reviewed, parentModelId: parent.modelId, epochs: 25, batchSize: 16, backend: 'wasm', seed: 5, checkpointDir: ck });
    const m = getModel(store, child.modelId);
    const pool = (m.config as { pool: Record<string, unknown> }).pool;
    // It rehearsed the parent's quiet footage (less the parent's held-out frames) and the nuisance span, nothing else of night.mp4.
    expect(pool).toMatchObject({ baseVideoId: trainVideo, baseSource: 'parent-training-video', labelledFrames: 30, labelledNuisance: 30, labelledNormal: 0 });
    expect(pool.reservedHeldOutFrames).toBeGreaterThan(30);
    const after = { incident: spanStats(child.modelId, INCIDENT), nuisance: spanStats(child.modelId, NUISANCE), occlusion: spanStats(child.modelId, OCCLUSION) };
    const cmp = compareModels(store, reviewed, [parent.modelId, child.modelId]);
    const fmt = (s: { detected: number; level: number }) => `${(100 * s.detected).toFixed(0)}% over, ${s.level.toFixed(2)}× threshold`;
    console.log(
      `retrain loop: parent threshold ${parent.threshold.toFixed(2)}, child ${child.threshold.toFixed(2)}\n` +
        (['incident', 'nuisance', 'occlusion'] as const).map((k) => `  ${k}: ${fmt(before[k])} → ${fmt(after[k])}`).join('\n') +
        `\n  held-out false alarms: ${JSON.stringify(cmp.rows.map((r) => r.heldOutFpr))}; verdict ${cmp.verdicts[0]?.verdict}; AUC ${cmp.rows.map((r) => r.auc?.toFixed(3)).join(' → ')}`,
    );
    expect(after.occlusion.detected, 'the unreviewed occlusion is still detected').toBeGreaterThanOrEqual(0.9);
    expect(after.incident.detected, 'the incident is still detected').toBeGreaterThanOrEqual(0.9);
    // Seed 5 measured: nuisance 100% → 33% of its frames over the threshold, 25.5× → 0.95× the threshold.
    expect(after.nuisance.level, 'the nuisance score dropped').toBeLessThan(before.nuisance.level / 4);
    expect(after.nuisance.detected).toBeLessThanOrEqual(0.7);
    expect(cmp.verdicts[0]).toMatchObject({ beforeId: parent.modelId, afterId: child.modelId });
    expect(cmp.verdicts[0]!.changes.find((c) => c.metric === 'nuisance')!.tone).toBe('better');
    expect(cmp.verdicts[0]!.changes.find((c) => c.metric === 'incident')!.tone).not.toBe('worse');
  }, 300_000);
});
