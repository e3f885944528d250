/**
 * Issue 12 items 4 and 7: a truncated file imports as what it is (decoded span stored, "ended early"
 * said), a picture too small to learn from is refused, a scaled-up one is noted, an over-long path gets
 * a clear error, and a resumed training reports the whole training time.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totalTrainSeconds } from '../src/core/engine/train-model.js';
import { mediaTools } from '../src/core/media/ffmpeg-locate.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
let store: Store;

function lavfi(out: string, src: string, extra: string[] = []): void {
  const r = spawnSync(mediaTools().ffmpeg.path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, ...extra, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p', out]);
  if (r.status !== 0) throw new Error(String(r.stderr));
}

beforeAll(() => {
  store = new Store(join(tmp.dir, 'lib.db'));
  // 250 frames, 10 s, moov atom first (faststart): the header states the whole duration.
  lavfi(join(tmp.dir, 'full.mp4'), 'testsrc2=size=64x48:rate=25', ['-t', '10', '-movflags', '+faststart']);
  const bytes = readFileSync(join(tmp.dir, 'full.mp4'));
  writeFileSync(join(tmp.dir, 'half.mp4'), bytes.subarray(0, Math.floor(bytes.length / 2)));
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('a truncated file', () => {
  it('stores the decoded span, marks the video as ended early and says so', async () => {
    const r = await ingestVideo(store, join(tmp.dir, 'half.mp4'), { size: 16 });
    expect(r.frameCount).toBeLessThan(200);
    expect(r.endedEarly).toBeTruthy();
    expect(r.endedEarly!.probedSec).toBeCloseTo(10, 0);
    const v = store.getVideo(r.videoId);
    expect(v.endedEarly).toEqual({ probedDurationSec: expect.closeTo(10, 0) as number });
    expect(v.durationSec).toBeLessThan(8);
    expect(v.durationSec).toBeCloseTo(r.frameCount / 25, 0);
    expect(v.notes!.join(' ')).toMatch(/ended early/);
  });

  it('a complete file is not marked', async () => {
    const r = await ingestVideo(store, join(tmp.dir, 'full.mp4'), { size: 16 });
    expect(r.frameCount).toBe(250);
    expect(r.endedEarly).toBeNull();
    const v = store.getVideo(r.videoId);
    expect(v.endedEarly).toBeNull();
    expect(v.durationSec).toBeCloseTo(10, 1);
    expect(v.notes).toEqual([]);
  });
});

describe('odd inputs', () => {
  it('refuses a 1x1 video with a reason, and notes a picture scaled up', async () => {
    lavfi(join(tmp.dir, 'dot.mp4'), 'color=c=red:size=2x2:rate=5', ['-t', '1', '-vf', 'scale=1:1']);
    await expect(ingestVideo(store, join(tmp.dir, 'dot.mp4'))).rejects.toMatchObject({ name: 'TooSmallError', message: expect.stringMatching(/1x1/) as string });
    lavfi(join(tmp.dir, 'small.mp4'), 'testsrc2=size=16x16:rate=5', ['-t', '1']);
    const r = await ingestVideo(store, join(tmp.dir, 'small.mp4'), { size: 32 });
    expect(r.notes!.join(' ')).toMatch(/16x16.*scaled up/);
    expect(store.getVideo(r.videoId).notes!.join(' ')).toMatch(/scaled up/);
  });

  it('answers a path over 4,096 characters with a clear error, not a raw ENAMETOOLONG', async () => {
    const long = join(tmp.dir, ...Array.from({ length: 50 }, () => 'x'.repeat(100)), 'a.mp4');
    const e = (await ingestVideo(store, long).catch((x: unknown) => x)) as Error;
    expect(e.name).toBe('PathTooLongError');
    expect(e.message).not.toMatch(/ENAMETOOLONG/);
    expect(e.message).toMatch(/too long/);
  });
});

describe('a resumed training', () => {
  it('reports the time of every epoch, not only of the call that resumed', () => {
    expect(totalTrainSeconds({ seconds: 0.01, history: [{ seconds: 3 }, { seconds: 4 }] })).toBeCloseTo(7);
    expect(totalTrainSeconds({ seconds: 9, history: [{ seconds: 3 }, { seconds: 4 }] })).toBe(9);
  });
});
