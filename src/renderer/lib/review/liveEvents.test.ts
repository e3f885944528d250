import { describe, expect, it } from 'vitest';
import type { ScoreSeries } from '../../../shared/domain.js';
import { liveEvents } from './liveEvents.js';

const n = 300;
const combined = Array.from({ length: n }, (_, i) => (i >= 100 && i < 110 ? 9 : i >= 200 && i < 215 ? 4 : i === 250 ? 5 : 1));
const s = {
  modelId: 2, videoId: 1, index: combined.map((_, i) => i), ptsSec: combined.map((_, i) => i / 10), combined,
  recon: [], patch: [], kl: [], elbo: [], temporal: [], stillness: [], sharpness: [], motion: [], threshold: 6, lowThreshold: 5, sampledFps: 10,
} satisfies ScoreSeries;

describe('liveEvents', () => {
  it('recomputes events as the threshold moves, with the minimum length and the hysteresis gap kept', () => {
    expect(liveEvents(s, 6).map((e) => [e.startIdx, e.endIdx])).toEqual([[100, 109]]);
    // Lower: the 15-frame bump at 4 joins; the single frame at 250 is shorter than the 0.3 s minimum (3 frames).
    expect(liveEvents(s, 3.5).map((e) => [e.startIdx, e.endIdx])).toEqual([[100, 109], [200, 214]]);
    expect(liveEvents(s, 10)).toEqual([]);
    const e = liveEvents(s, 3.5)[1]!;
    expect(e).toMatchObject({ peakScore: 4, startSec: 20, threshold: 3.5, modelId: 2 });
  });
});
