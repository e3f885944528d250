/** Issue 12 item 5: parallel requests for one source frame all succeed, with a bounded number of ffmpegs. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSolidClip, tempDir } from '../../../test/helpers.js';
import { MAX_FFMPEG, peakConcurrentCuts, sourceFramePng } from './cut.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'clip.mp4');
beforeAll(() => makeSolidClip(clip, { frames: 12, fps: 6 }));
afterAll(() => tmp.cleanup());

describe('sourceFramePng under parallel requests', () => {
  it('20 parallel cuts of one frame all succeed and leave one file, no temporary ones', async () => {
    const out = join(tmp.dir, 'cache', 'f3.png');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => sourceFramePng(clip, 0.5, out)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(join(tmp.dir, 'cache'))).toEqual(['f3.png']);
  });

  it('runs at most MAX_FFMPEG ffmpeg processes at once for many different frames', async () => {
    const outs = Array.from({ length: 8 }, (_, k) => join(tmp.dir, 'cache2', `f${k}.png`));
    await Promise.all(outs.map((o, k) => sourceFramePng(clip, k / 6, o)));
    expect(outs.every((o) => existsSync(o))).toBe(true);
    expect(peakConcurrentCuts()).toBeGreaterThan(0);
    expect(peakConcurrentCuts()).toBeLessThanOrEqual(MAX_FFMPEG);
  });
});
