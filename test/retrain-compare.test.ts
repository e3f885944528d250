/**
 * The comparison judges versions on one scale, each at its own threshold, per label class, and calls a
 * fine-tune that detects fewer incident frames a regression even when its AUC rose (issue 10 item 4:
 * AUC +0.17 in green while the incident frames over the threshold fell from 35 to 1).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeTone, compareModels } from '../src/core/latent/compare.js';
import { createLabel } from '../src/core/store/labels.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from './helpers.js';
import { fakeModel } from './model-fixtures.js';

const tmp = tempDir();
const N = 200;
let store: Store;
let trainVideo: number;
let reviewed: number;

function addVideo(name: string): number {
  const id = store.beginVideo({ path: `/synthetic/${name}`, name, sizeBytes: 1, codec: 'raw', width: 16, height: 16, sourceFps: 10, durationSec: N / 10, sampledFps: 10, frameSize: 16, channels: 3 });
  store.appendFrames(id, Array.from({ length: N }, (_, i) => ({ index: i, sourceFrame: i, ptsSec: i / 10 })), new Uint8Array(N * 16 * 16 * 3));
  store.finishVideo(id, 'synthetic');
  return id;
}

const INCIDENT = [100, 134] as const; // 35 frames
const NUISANCE = [150, 169] as const; // 20 frames
const NORMAL = [0, 49] as const; // 50 frames
const heldOut = Array.from({ length: 40 }, (_, k) => 5 * k);

/** Scores of the reviewed video: `base` everywhere, `inc` on the incident, `nui` on the nuisance span, `normalHigh` normal frames at 9. */
function reviewScores(inc: (k: number) => number, nui: number, normalHigh = 0): number[] {
  return Array.from({ length: N }, (_, i) => {
    if (i >= INCIDENT[0] && i <= INCIDENT[1]) return inc(i - INCIDENT[0]);
    if (i >= NUISANCE[0] && i <= NUISANCE[1]) return nui;
    if (i >= NORMAL[0] && i < NORMAL[0] + normalHigh) return 9;
    return 1 + (i % 7) / 10;
  });
}
/** Scores of the training video: `flagged` of the held-out frames at 9, the rest low. */
function trainScores(flagged: number): number[] {
  const s = Array.from({ length: N }, () => 1);
  heldOut.slice(0, flagged).forEach((i) => (s[i] = 9));
  return s;
}

let parent: number;
beforeAll(() => {
  store = new Store(join(tmp.dir, 'compare.db'));
  trainVideo = addVideo('train.mp4');
  reviewed = addVideo('review.mp4');
  createLabel(store, { videoId: reviewed, startIdx: INCIDENT[0], endIdx: INCIDENT[1], cls: 'incident' });
  createLabel(store, { videoId: reviewed, startIdx: NUISANCE[0], endIdx: NUISANCE[1], cls: 'nuisance' });
  createLabel(store, { videoId: reviewed, startIdx: NORMAL[0], endIdx: NORMAL[1], cls: 'normal' });
  // The parent (threshold 5): every incident frame over it, and the nuisance too; ranks a few normal frames above incident ones.
  parent = fakeModel(store, {
    trainVideoId: trainVideo,
    threshold: 5,
    scores: { [trainVideo]: trainScores(1), [reviewed]: reviewScores((k) => 6 + k / 10, 7, 5) },
    pool: { baseVideoId: trainVideo, baseSource: 'training-video', heldOut: { videoId: trainVideo, indices: heldOut } },
  });
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('compareModels', () => {
  it('flags a fine-tune that detects fewer incident frames as a regression, although its AUC rose', () => {
    // The child ranks perfectly (AUC 1) but its threshold (20) leaves all but one incident frame under it.
    const child = fakeModel(store, {
      trainVideoId: reviewed,
      parentId: parent,
      threshold: 20,
      scores: { [trainVideo]: trainScores(1), [reviewed]: reviewScores((k) => (k === 0 ? 25 : 10 + k / 10), 3) },
    });
    const c = compareModels(store, reviewed, [parent, child]);
    expect(c.classFrames).toEqual({ incident: 35, tamper: 0, nuisance: 20, normal: 50 });
    const [p, ch] = c.rows;
    expect(ch!.auc!).toBeGreaterThan(p!.auc! + 0.02);
    expect(p!.classes!.incident).toEqual({ flagged: 35, frames: 35 });
    expect(ch!.classes!.incident).toEqual({ flagged: 1, frames: 35 });
    expect(c.heldOut).toEqual({ modelId: parent, videoId: trainVideo, frames: 40 });
    expect(p!.heldOutFpr).toEqual({ flagged: 1, frames: 40 });
    expect(c.verdicts).toHaveLength(1);
    const v = c.verdicts[0]!;
    expect(v).toMatchObject({ beforeId: parent, afterId: child, verdict: 'regression' });
    const tones = Object.fromEntries(v.changes.map((x) => [x.metric, x.tone]));
    expect(tones).toEqual({ incident: 'worse', nuisance: 'better', normal: 'better', heldOut: 'same' });
  });

  it('calls it an improvement when every incident frame is still detected and fewer nuisance frames are flagged', () => {
    const child = fakeModel(store, {
      trainVideoId: trainVideo,
      parentId: parent,
      threshold: 5,
      scores: { [trainVideo]: trainScores(2), [reviewed]: reviewScores((k) => 6 + k / 10, 3) },
    });
    const v = compareModels(store, reviewed, [parent, child]).verdicts[0]!;
    expect(v.verdict).toBe('improvement');
    expect(v.changes.find((x) => x.metric === 'nuisance')).toMatchObject({ before: { flagged: 20 }, after: { flagged: 0 }, tone: 'better' });
    expect(v.changes.find((x) => x.metric === 'heldOut')).toMatchObject({ before: { flagged: 1 }, after: { flagged: 2 }, tone: 'same' }); // within noise
  });

  it('more normal frames flagged, or many more held-out false alarms, is a regression', () => {
    const noisy = fakeModel(store, { trainVideoId: trainVideo, parentId: parent, threshold: 5, scores: { [trainVideo]: trainScores(12), [reviewed]: reviewScores((k) => 6 + k / 10, 7, 5) } });
    const v = compareModels(store, reviewed, [parent, noisy]).verdicts[0]!;
    expect(v.verdict).toBe('regression');
    expect(v.changes.find((x) => x.metric === 'heldOut')!.tone).toBe('worse');
    expect(changeTone('normal', { flagged: 5, frames: 50 }, { flagged: 6, frames: 50 })).toBe('worse');
    expect(changeTone('tamper', { flagged: 5, frames: 10 }, { flagged: 4, frames: 10 })).toBe('worse');
  });
});

describe('compareModels: the held-out reference', () => {
  it("uses the parent's held-out frames, never a later version's (an older one may have trained on them)", () => {
    const old = fakeModel(store, { trainVideoId: trainVideo, threshold: 5, scores: { [trainVideo]: trainScores(0), [reviewed]: reviewScores(() => 6, 7) } });
    const child = fakeModel(store, {
      trainVideoId: reviewed, parentId: old, threshold: 5,
      scores: { [trainVideo]: trainScores(0), [reviewed]: reviewScores(() => 6, 3) },
      pool: { baseVideoId: trainVideo, heldOut: { videoId: trainVideo, indices: heldOut } },
    });
    const c = compareModels(store, reviewed, [old, child]);
    expect(c.heldOut).toBeNull();
    expect(c.rows.every((r) => r.heldOutFpr === null)).toBe(true);
    expect(c.verdicts[0]!.changes.map((x) => x.metric)).toEqual(['incident', 'nuisance', 'normal']);
    // Two unrelated versions: the second judged against the first, on the first one's held-out frames.
    const other = fakeModel(store, { trainVideoId: trainVideo, threshold: 5, scores: { [trainVideo]: trainScores(0), [reviewed]: reviewScores(() => 6, 7) } });
    const d = compareModels(store, reviewed, [parent, other]);
    expect(d.heldOut).toMatchObject({ modelId: parent });
    expect(d.verdicts[0]).toMatchObject({ beforeId: parent, afterId: other });
  });
});
