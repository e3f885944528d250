/**
 * Masked likelihood end to end (issue 5, item 6): a camera whose top-left corner (a "timestamp")
 * flickers wildly on some frames. Without a mask the flicker drives the reconstruction-error score
 * (and the alarm) up on those frames; with the corner masked they score like any normal frame,
 * while a real change outside the mask is still detected. Frames are made here and stored directly.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { scoreVideo } from '../src/core/engine/score-video.js';
import { trainModel } from '../src/core/engine/train-model.js';
import { mulberry32 } from '../src/core/ml/prng.js';
import type { Calibration } from '../src/core/scoring/calibrate.js';
import { getIgnoreMask, setIgnoreMask } from '../src/core/store/ignore-masks.js';
import { getModel, readScores } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { toModelSummary } from '../src/core/app/summaries.js';
import { tempDir } from './helpers.js';

const S = 32;
/** The flickering region: rows 0..7, columns 0..11 (a timestamp overlay). */
const CORNER = { x: 0, y: 0, width: 12 / S, height: 8 / S };
const tmp = tempDir();
let store: Store;
let trainVideo: number;
let testVideo: number;
/** The test video's twin: the same frames without the flicker. */
let twinVideo: number;
const FLICKER = [60, 80]; // test frames [60, 80): the corner is noise
const CHANGE = [100, 115]; // test frames [100, 115): a bright block in the middle of the picture

/** One frame: a fixed gradient, a small dark square moving round the picture, faint noise; options for the corner and the block. */
function frame(t: number, r: () => number, flickerNoise: () => number, o: { flicker?: boolean; change?: boolean } = {}): Uint8Array {
  const px = new Uint8Array(S * S * 3);
  const cx = 14 + Math.round(9 * Math.cos(t / 6));
  const cy = 18 + Math.round(7 * Math.sin(t / 6));
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      let rgb = [60 + 4 * x, 80 + 3 * y, 120];
      if (Math.abs(x - cx) <= 2 && Math.abs(y - cy) <= 2) rgb = [30, 30, 40];
      if (o.change && x >= 11 && x < 21 && y >= 10 && y < 20) rgb = [250, 250, 250];
      if (y < 8 && x < 12) rgb = o.flicker ? [flickerNoise() * 256, flickerNoise() * 256, flickerNoise() * 256] : [128, 128, 128];
      for (let c = 0; c < 3; c++) px[(y * S + x) * 3 + c] = Math.max(0, Math.min(255, Math.floor(rgb[c]! + (r() - 0.5) * 6)));
    }
  return px;
}

function addVideo(name: string, count: number, kind: (t: number) => { flicker?: boolean; change?: boolean }, seed: number): number {
  // The flicker draws from its own generator, so a twin video without it has exactly the same other pixels.
  const r = mulberry32(seed);
  const rf = mulberry32(seed + 1000);
  const id = store.beginVideo({ path: `/synthetic/${name}`, name, sizeBytes: 1, codec: 'raw', width: S, height: S, sourceFps: 10, durationSec: count / 10, sampledFps: 10, frameSize: S, channels: 3 });
  const pixels = new Uint8Array(count * S * S * 3);
  for (let t = 0; t < count; t++) pixels.set(frame(t, r, rf, kind(t)), t * S * S * 3);
  store.appendFrames(id, Array.from({ length: count }, (_, t) => ({ index: t, sourceFrame: t, ptsSec: t / 10 })), pixels);
  store.finishVideo(id, name);
  return id;
}

const inSpan = (t: number, [a, b]: number[]) => t >= a! && t < b!;

beforeAll(() => {
  store = new Store(join(tmp.dir, 'masked.db'));
  trainVideo = addVideo('train', 200, () => ({}), 1);
  testVideo = addVideo('test', 130, (t) => ({ flicker: inSpan(t, FLICKER), change: inSpan(t, CHANGE) }), 2);
  twinVideo = addVideo('twin', 130, (t) => ({ change: inSpan(t, CHANGE) }), 2);
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

const tiny = { epochs: 12, latentDim: 6, batchSize: 16, learningRate: 3e-3, klWarmupEpochs: 2, backend: 'wasm' as const, filters: [8, 16], seed: 3 };

function summary(modelId: number) {
  const s = readScores(store, modelId, testVideo);
  const calib = getModel(store, modelId).calibration as Calibration;
  const pick = (what: Float32Array, span: number[] | null) => Array.from(what).filter((_, t) => (span ? inSpan(t, span) : !inSpan(t, FLICKER) && !inSpan(t, CHANGE)));
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return {
    threshold: calib.threshold,
    recon: { normal: median(pick(s.recon, null)), flicker: median(pick(s.recon, FLICKER)), change: median(pick(s.recon, CHANGE)) },
    combined: { normal: median(pick(s.combined, null)), flicker: median(pick(s.combined, FLICKER)), change: median(pick(s.combined, CHANGE)) },
    /** Share of frames at or over the alarm threshold. */
    alarms: {
      normal: pick(s.combined, null).filter((v) => v >= calib.threshold).length / pick(s.combined, null).length,
      flicker: pick(s.combined, FLICKER).filter((v) => v >= calib.threshold).length / (FLICKER[1]! - FLICKER[0]!),
      change: pick(s.combined, CHANGE).filter((v) => v >= calib.threshold).length / (CHANGE[1]! - CHANGE[0]!),
    },
  };
}

describe('masked likelihood, end to end', () => {
  it('without a mask the flicker raises the score; with the corner masked it does not, and a real change is still found', async () => {
    const plain = await trainModel(store, { ...tiny, videoId: trainVideo, checkpointDir: join(tmp.dir, 'ck') });
    await scoreVideo(store, plain.modelId, testVideo);
    setIgnoreMask(store, trainVideo, { rects: [CORNER] });
    const masked = await trainModel(store, { ...tiny, videoId: trainVideo, checkpointDir: join(tmp.dir, 'ck') });
    await scoreVideo(store, masked.modelId, testVideo);
    await scoreVideo(store, masked.modelId, twinVideo);
    await scoreVideo(store, plain.modelId, twinVideo);
    const a = summary(plain.modelId);
    const b = summary(masked.modelId);
    console.log(`masked-likelihood e2e\n unmasked: ${JSON.stringify(a)}\n masked:   ${JSON.stringify(b)}`);

    // Masked: every frame scores exactly as its flicker-free twin (the corner reaches no score at all);
    // unmasked: the flicker frames score far above their twins.
    const withFlicker = readScores(store, masked.modelId, testVideo);
    const twin = readScores(store, masked.modelId, twinVideo);
    for (const k of ['recon', 'patch', 'kl', 'nll', 'sharpness', 'stillness', 'combined'] as const)
      for (let t = 0; t < 130; t++) expect(withFlicker[k][t], `${k} at frame ${t}`).toBeCloseTo(twin[k][t]!, 4);
    const plainFlicker = readScores(store, plain.modelId, testVideo).combined;
    const plainTwin = readScores(store, plain.modelId, twinVideo).combined;
    for (let t = FLICKER[0]!; t < FLICKER[1]!; t++) expect(plainFlicker[t]! - plainTwin[t]!, `frame ${t}`).toBeGreaterThan(5);

    // The model records the mask it used; the unmasked one records none.
    expect((getModel(store, masked.modelId).config as { ignoreMask: unknown }).ignoreMask).toEqual({ rects: [CORNER], size: S, ignoredPixels: 96 });
    expect((getModel(store, plain.modelId).config as { ignoreMask: unknown }).ignoreMask).toBeNull();
    expect(toModelSummary(getModel(store, masked.modelId)).ignoreMask).toEqual({ rects: [CORNER] });

    // Unmasked: the flicker frames' reconstruction error is well above normal, and they raise alarms.
    expect(a.recon.flicker).toBeGreaterThan(2 * a.recon.normal);
    expect(a.alarms.flicker).toBeGreaterThan(0.9);
    // Masked: the flicker frames score like normal frames (the corner cannot reach any score) ...
    expect(b.recon.flicker).toBeLessThan(1.5 * b.recon.normal);
    expect(b.alarms.flicker).toBeLessThan(0.5);
    expect(b.combined.flicker).toBeLessThan(b.threshold);
    // ... while the block in the middle is still detected.
    expect(b.recon.change).toBeGreaterThan(2 * b.recon.normal);
    expect(b.alarms.change).toBeGreaterThan(0.9);
  }, 120_000);

  it.each(['pca', 'bgdiff', 'vq-vae'] as const)('%s honours the mask too: masked scores equal the flicker-free twin\'s, unmasked ones rise', async (kind) => {
    // (The baselines ignore the network options.)
    const o = { kind, videoId: trainVideo, checkpointDir: join(tmp.dir, 'ck'), epochs: 5, batchSize: 16, backend: 'wasm' as const, filters: [8, 16], seed: 3 };
    setIgnoreMask(store, trainVideo, { rects: [] });
    const plain = await trainModel(store, o);
    setIgnoreMask(store, trainVideo, { rects: [CORNER] });
    const masked = await trainModel(store, o);
    expect((getModel(store, masked.modelId).config as { ignoreMask: unknown }).ignoreMask).toEqual({ rects: [CORNER], size: S, ignoredPixels: 96 });
    for (const m of [plain.modelId, masked.modelId]) for (const v of [testVideo, twinVideo]) await scoreVideo(store, m, v);
    const got = (m: number, v: number) => readScores(store, m, v).recon;
    for (let t = 0; t < 130; t++) expect(got(masked.modelId, testVideo)[t]).toBeCloseTo(got(masked.modelId, twinVideo)[t]!, 6);
    const rise = (m: number) => Array.from({ length: FLICKER[1]! - FLICKER[0]! }, (_, i) => got(m, testVideo)[FLICKER[0]! + i]! / got(m, twinVideo)[FLICKER[0]! + i]!);
    expect(Math.min(...rise(plain.modelId))).toBeGreaterThan(1.5);
    // The block in the middle still raises the masked baseline's score above normal frames.
    const b = summary(masked.modelId);
    expect(b.recon.change).toBeGreaterThan(2 * b.recon.normal);
  }, 60_000);

  it('latentwatch mask sets, shows and clears a mask; a bad rectangle is refused and keeps the stored one', async () => {
    const db = join(tmp.dir, 'masked.db');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await main(['mask', '--db', db, '--video', String(twinVideo), '--rect', '0,0,0.5,0.25', '--rect', '0.5,0.5,0.5,0.5', '--json'])).toBe(0);
      expect(JSON.parse(out.at(-1)!)).toMatchObject({ videoId: twinVideo, ignoredFraction: 0.375 });
      expect(getIgnoreMask(store, twinVideo).rects).toHaveLength(2);
      expect(await main(['mask', '--db', db, '--video', String(twinVideo), '--rect', '0.8,0,0.5,0.1'])).toBe(1);
      expect(err.mock.calls.flat().join(' ')).toMatch(/ValidationError: Invalid ignore mask/);
      expect(getIgnoreMask(store, twinVideo).rects).toHaveLength(2);
      expect(await main(['mask', '--db', db, '--video', String(twinVideo), '--clear'])).toBe(0);
      expect(out.at(-1)).toMatch(/no ignore mask/);
      expect(getIgnoreMask(store, twinVideo)).toEqual({ rects: [] });
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});
