/** `evaluate` over test clips (issue 10 item 5): several test videos, or one video split by a clips.csv. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/core/engine/evaluate.js';
import { formatTruthCsv } from '../src/core/eval/truth.js';
import { mediaTools } from '../src/core/media/ffmpeg-locate.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from './helpers.js';

/**
 * Solid-colour frames, lossless. (helpers.ts makeSolidClip refills one buffer while earlier writes may
 * still be queued, so frames of a longer clip can come out as later frames' colours; each frame here
 * gets its own buffer.)
 */
async function makeSolidClip(path: string, o: { frames: number; fps: number; colour: (k: number) => [number, number, number] }): Promise<void> {
  const [W, H] = [48, 32];
  const ff = spawn(
    mediaTools().ffmpeg.path,
    ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(o.fps), '-i', '-', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-pix_fmt', 'yuv444p', path],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let err = '';
  ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((ok, bad) => ff.on('close', (c) => (c === 0 ? ok() : bad(new Error(`ffmpeg: ${err}`)))));
  for (let k = 0; k < o.frames; k++) {
    const buf = Buffer.alloc(W * H * 3);
    const c = o.colour(k);
    for (let i = 0; i < W * H; i++) buf.set(c, i * 3);
    if (!ff.stdin.write(buf)) await new Promise((r) => ff.stdin.once('drain', r));
  }
  ff.stdin.end();
  await done;
}

const tmp = tempDir('lw-eval-clips-');
const grey = (k: number): [number, number, number] => [90 + (k % 7) * 3, 100 + (k % 5) * 2, 95 + (k % 3) * 4];
const level = (v: number): [number, number, number] => [v, v, v];
// Test clip A: 40 frames, anomalous 30..39 (to its end), flickering white/black; clip B: 30 frames, anomalous
// 10..14, a weaker flicker. Joined without a restart at the boundary, the cut from A's last frame to B's
// first (a normal frame) would be a frame difference larger than B's anomalies.
const A = { frames: 40, from: 30, to: 39, lo: 5, hi: 250 };
const B = { frames: 30, from: 10, to: 14, lo: 60, hi: 160 };
const colourOf = (c: typeof A) => (k: number) => (k >= c.from && k <= c.to ? level(k % 2 ? c.hi : c.lo) : grey(k));
const truthOf = (c: typeof A, kind: string) => {
  const anomaly = Array.from({ length: c.frames }, (_, k) => (k >= c.from && k <= c.to ? 1 : 0));
  return { anomaly, kind: anomaly.map((a) => (a ? kind : '')) };
};
const p = (f: string) => join(tmp.dir, f);

beforeAll(async () => {
  await makeSolidClip(p('train.mp4'), { frames: 80, fps: 10, colour: grey });
  await makeSolidClip(p('a.mp4'), { frames: A.frames, fps: 10, colour: colourOf(A) });
  await makeSolidClip(p('b.mp4'), { frames: B.frames, fps: 10, colour: colourOf(B) });
  await makeSolidClip(p('ab.mp4'), { frames: A.frames + B.frames, fps: 10, colour: (k) => (k < A.frames ? colourOf(A)(k) : colourOf(B)(k - A.frames)) });
});
afterAll(() => tmp.cleanup());

describe('evaluate over test clips', () => {
  it('several test videos and the same clips joined with a clips.csv give the same clips, truth and reference baselines', async () => {
    const ta = truthOf(A, 'ka');
    const tb = truthOf(B, 'kb');
    const train = { kind: 'bgdiff' as const, checkpointDir: p('ck') };
    const s1 = new Store(p('one.db'));
    const s2 = new Store(p('two.db'));
    try {
      const sep = await evaluate(s1, {
        trainPath: p('train.mp4'),
        tests: [
          { path: p('a.mp4'), truthCsv: formatTruthCsv(ta) },
          { path: p('b.mp4'), truthCsv: formatTruthCsv(tb) },
        ],
        train,
      });
      const joined = await evaluate(s2, {
        trainPath: p('train.mp4'),
        testPath: p('ab.mp4'),
        truthCsv: formatTruthCsv({ anomaly: [...ta.anomaly, ...tb.anomaly], kind: [...ta.kind, ...tb.kind] }),
        clipsCsv: `clip,start,end\na,0,${A.frames - 1}\nb,${A.frames},${A.frames + B.frames - 1}\n`,
        train,
      });
      for (const r of [sep, joined]) {
        expect(r.frames.test).toBe(A.frames + B.frames);
        expect(r.clips.map((c) => [c.name, c.start, c.end])).toEqual([
          ['a', 0, A.frames - 1],
          ['b', A.frames, A.frames + B.frames - 1],
        ]);
        expect(Object.keys(r.auc)).toEqual(['overall', 'ka', 'kb']);
        // A red frame is far from the grey median: the reference background difference separates perfectly, pooled and per clip.
        expect(r.baselines.bgdiff.overall).toBe(1);
        expect(r.perClip.baselines.bgdiff.overall).toBe(1);
        expect(r.detection.clips.map((c) => [c.clip, c.frames, c.anomalousFrames, c.truthEvents])).toEqual([
          ['a', A.frames, 10, 1],
          ['b', B.frames, 5, 1],
        ]);
        expect(r.detection.normalHours).toBeCloseTo((A.frames + B.frames - 15) / 10 / 3600, 12);
        expect(r.detection.anomalousClips).toBe(2);
        expect(r.auc.overall).toBeGreaterThan(0.9);
      }
      // The frame difference restarts at the clip boundary inside the joined video, so every reference baseline agrees frame for frame.
      expect(joined.baselines).toEqual(sep.baselines);
      expect(joined.perClip.baselines).toEqual(sep.perClip.baselines);
    } finally {
      s1.close();
      s2.close();
    }
  });

  it('refuses a clips.csv that does not cover the test video', async () => {
    const s = new Store(p('bad.db'));
    try {
      await expect(
        evaluate(s, { trainPath: p('train.mp4'), testPath: p('a.mp4'), truthCsv: formatTruthCsv(truthOf(A, 'ka')), clipsCsv: 'clip,start,end\na,0,29\n', train: { kind: 'bgdiff', checkpointDir: p('ck2') } }),
      ).rejects.toThrow(/40 frames/);
    } finally {
      s.close();
    }
  });
});
