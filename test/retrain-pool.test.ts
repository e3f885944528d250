/**
 * What a fine-tune learns from (training-pool.ts): its parent's own training footage (rehearsal) and
 * frames labelled normal/nuisance; never unreviewed frames of the reviewed video, never frames inside
 * a parent event or over its threshold unless labelled normal/nuisance, never incident/tamper, never
 * the parent's held-out frames. Models are written straight into the store (no training).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fineTunePool } from '../src/core/engine/training-pool.js';
import { createLabel } from '../src/core/store/labels.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from './helpers.js';
import { fakeModel } from './model-fixtures.js';

const tmp = tempDir();
const SIZE = 16;
const N = 100;
let store: Store;
let trainVideo: number;
let reviewed: number;

function addVideo(name: string): number {
  const id = store.beginVideo({ path: `/synthetic/${name}`, name, sizeBytes: 1, codec: 'raw', width: SIZE, height: SIZE, sourceFps: 10, durationSec: N / 10, sampledFps: 10, frameSize: SIZE, channels: 3 });
  store.appendFrames(id, Array.from({ length: N }, (_, i) => ({ index: i, sourceFrame: i, ptsSec: i / 10 })), new Uint8Array(N * SIZE * SIZE * 3).fill(90));
  store.finishVideo(id, 'synthetic');
  return id;
}

const low = () => Array.from({ length: N }, () => 1);
const withHigh = (spans: Array<[number, number]>) => {
  const s = low();
  for (const [a, b] of spans) for (let i = a; i <= b; i++) s[i] = 10;
  return s;
};
const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => a + k);
const heldOut = [3, 13, 23, 33, 43, 53, 63, 73, 83, 93];

beforeAll(() => {
  store = new Store(join(tmp.dir, 'pool.db'));
  trainVideo = addVideo('train.mp4');
  reviewed = addVideo('review.mp4');
  // The reviewed video: an intruder (incident), a false alarm (nuisance), a quiet span labelled normal; 70–79 is never reviewed.
  createLabel(store, { videoId: reviewed, startIdx: 20, endIdx: 29, cls: 'incident' });
  createLabel(store, { videoId: reviewed, startIdx: 50, endIdx: 59, cls: 'nuisance' });
  createLabel(store, { videoId: reviewed, startIdx: 0, endIdx: 9, cls: 'normal' });
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('fineTunePool', () => {
  it("rehearses the parent's training footage and adds only labelled normal/nuisance frames of the reviewed video", () => {
    // The parent: trained on train.mp4 (flags 40–44 there, unreviewed), held out every tenth frame from 3.
    const parent = fakeModel(store, {
      trainVideoId: trainVideo,
      threshold: 5,
      scores: { [trainVideo]: withHigh([[40, 44]]), [reviewed]: withHigh([[20, 29], [50, 59], [70, 79]]) },
      events: { [reviewed]: [[20, 29], [50, 59], [70, 79]] },
      pool: { baseVideoId: trainVideo, heldOut: { videoId: trainVideo, indices: heldOut } },
    });
    const pool = fineTunePool(store, parent, reviewed, 10_000);
    expect(pool).toMatchObject({ baseVideoId: trainVideo, baseSource: 'parent-training-video', excludedEventFrames: 4, reservedHeldOutFrames: 10, excludedFrames: 0 });
    const base = pool.picks.slice(0, pool.baseCount);
    expect(base.every((p) => p.videoId === trainVideo)).toBe(true);
    const baseIdx = new Set(base.map((p) => p.index));
    // Every frame of the parent's footage except its held-out frames and the unreviewed frames it flagged.
    expect(pool.baseFrames).toBe(N - 10 - 5 + 1); // 43 is both held out and flagged: counted once, as held out
    for (const i of [...heldOut, ...span(40, 44)]) expect(baseIdx.has(i)).toBe(false);
    expect(baseIdx.has(0) && baseIdx.has(50) && baseIdx.has(99)).toBe(true);
    // From the reviewed video: exactly the normal and nuisance spans, repeated; no unreviewed frame, no incident.
    const extra = pool.picks.slice(pool.baseCount);
    expect(extra.every((p) => p.videoId === reviewed)).toBe(true);
    expect(new Set(extra.map((p) => p.index))).toEqual(new Set([...span(0, 9), ...span(50, 59)]));
    expect(pool).toMatchObject({ labelledFrames: 20, labelledNormal: 10, labelledNuisance: 10, labelledVideos: 1 });
    expect(pool.labelledRepeats).toBe(Math.round(0.5 * pool.baseFrames / 20));
    expect(extra).toHaveLength(20 * pool.labelledRepeats);
  });

  it('when the parent was trained on the reviewed video, leaves out its unreviewed events and frames over its threshold', () => {
    const scores = withHigh([[20, 29], [50, 59], [70, 79], [88, 88]]);
    const parent = fakeModel(store, { trainVideoId: reviewed, threshold: 5, scores: { [reviewed]: scores }, events: { [reviewed]: [[20, 29], [50, 59], [68, 81]] } });
    const pool = fineTunePool(store, parent, reviewed, 10_000);
    expect(pool).toMatchObject({ baseVideoId: reviewed, baseSource: 'parent-training-video', reservedHeldOutFrames: 0 });
    const base = new Set(pool.picks.slice(0, pool.baseCount).map((p) => p.index));
    for (const i of [...span(68, 81), 88]) expect(base.has(i), `unreviewed flagged frame ${i}`).toBe(false);
    for (const i of span(20, 29)) expect(base.has(i), `incident frame ${i}`).toBe(false);
    for (const i of span(50, 59)) expect(base.has(i), `nuisance frame ${i}`).toBe(true); // inside an event, but the analyst said it is no alarm
    expect(pool.excludedFrames).toBe(10);
    expect(pool.excludedEventFrames).toBe(14 + 1);
    expect(pool.baseFrames).toBe(N - 10 - 15);
    expect(pool.picks.every((p) => !(p.index >= 68 && p.index <= 81) && !(p.index >= 20 && p.index <= 29))).toBe(true);
  });

  it('refuses when the parent never scored its base video (it could not tell events from normal footage)', () => {
    const parent = fakeModel(store, { trainVideoId: trainVideo, threshold: 5, scores: { [reviewed]: low() } });
    expect(() => fineTunePool(store, parent, reviewed, 10_000)).toThrow(/has not scored train\.mp4/);
  });
});
