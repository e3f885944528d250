import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSolidClip, solidColour, tempDir } from '../../../test/helpers.js';
import { decodeFrames } from './decode.js';
import { mediaTools } from './ffmpeg-locate.js';
import { probeVideo } from './probe.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'solid.mp4');
beforeAll(() => makeSolidClip(clip, { frames: 24, fps: 8 }));
afterAll(() => tmp.cleanup());

const collect = async (it: AsyncIterable<{ index: number; ptsSec: number; data: Uint8Array }>) => {
  const out = [];
  for await (const f of it) out.push(f);
  return out;
};

describe('probeVideo', () => {
  it('reports size, rate, duration and codec', async () => {
    const p = await probeVideo(clip);
    expect(p).toMatchObject({ width: 48, height: 32, codec: 'h264', frameCountEstimate: 24 });
    expect(p.fps).toBeCloseTo(8, 6);
    expect(p.durationSec).toBeCloseTo(3, 1);
  });

  it('refuses a file that is not a video, with a message that says so', async () => {
    const txt = join(tmp.dir, 'notes.mp4');
    writeFileSync(txt, 'these are not the frames you are looking for\n');
    await expect(probeVideo(txt)).rejects.toMatchObject({ name: 'NotAVideoError', message: expect.stringContaining('not a video') });
  });

  it('says when the file does not exist', async () => {
    await expect(probeVideo(join(tmp.dir, 'missing.mp4'))).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

describe('decodeFrames', () => {
  it('decodes every frame with its index, timestamp and pixel values', async () => {
    const frames = await collect(decodeFrames(clip, { size: 16 }));
    expect(frames).toHaveLength(24);
    frames.forEach((f, k) => {
      expect(f.index).toBe(k);
      expect(f.ptsSec).toBeCloseTo(k / 8, 6);
      expect(f.data).toHaveLength(16 * 16 * 3);
      const want = solidColour(k);
      // Solid frames: every pixel within a few levels of the colour that was encoded.
      for (let i = 0; i < 16 * 16; i += 17)
        for (let c = 0; c < 3; c++) expect(Math.abs(f.data[i * 3 + c]! - want[c]!)).toBeLessThanOrEqual(4);
    });
  });

  it('samples at a lower rate with exact timestamps', async () => {
    const frames = await collect(decodeFrames(clip, { size: 8, fps: 2 }));
    expect(frames).toHaveLength(6);
    frames.forEach((f, k) => expect(f.ptsSec).toBeCloseTo(k * 0.5, 6));
    // The frame at 0.5 s is source frame 4.
    const want = solidColour(4);
    expect(Math.abs(frames[1]!.data[0]! - want[0])).toBeLessThanOrEqual(4);
  });

  it('decodes a path with spaces and non-ASCII characters', async () => {
    const odd = join(tmp.dir, 'lobby cam – ñoño 監視.mp4');
    await makeSolidClip(odd, { frames: 5, fps: 5 });
    expect(await collect(decodeFrames(odd, { size: 8 }))).toHaveLength(5);
  });

  it('keeps only the region of interest when cropping', async () => {
    const split = join(tmp.dir, 'red-blue.mp4');
    const { ffmpeg } = mediaTools();
    execFileSync(ffmpeg.path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=32x32:r=5:d=1[a];color=c=blue:s=32x32:r=5:d=1[b];[a][b]hstack', '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', split]);
    const whole = await collect(decodeFrames(split, { size: 8 }));
    const right = await collect(decodeFrames(split, { size: 8, crop: { x: 32, y: 0, width: 32, height: 32 } }));
    expect(right).toHaveLength(whole.length);
    // Whole frame: red on the left; the crop of the right half: blue everywhere.
    expect(whole[0]!.data[0]).toBeGreaterThan(200);
    for (let i = 0; i < 64; i++) {
      expect(right[0]!.data[i * 3]!).toBeLessThan(40);
      expect(right[0]!.data[i * 3 + 2]!).toBeGreaterThan(200);
    }
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const f of decodeFrames(clip, { size: 8, signal: ac.signal })) {
          seen.push(f.index);
          if (f.index === 2) ac.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThan(24);
  });
});
