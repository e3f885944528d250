/** Model kinds (issue 5) through the engine: each kind trains, is stored with its kind, and scores. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latentTraversal, samplePrior } from '../src/core/engine/generate.js';
import { iwScores } from '../src/core/engine/iw-scores.js';
import { scoreVideo } from '../src/core/engine/score-video.js';
import { LatentProjections } from '../src/core/latent/projection.js';
import { latentTrajectory } from '../src/core/engine/trajectory.js';
import { trainModel } from '../src/core/engine/train-model.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import type { Calibration } from '../src/core/scoring/calibrate.js';
import { surprise, tailP } from '../src/shared/tails.js';
import { unpackVqWeights } from '../src/core/models/vq-vae/weights.js';
import { getModel, modelBlobs, readScores } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { createLabel, deleteLabel } from '../src/core/store/labels.js';
import { mixtureClasses } from '../src/core/latent/projection.js';
import { readLatentMeans } from '../src/core/store/scores.js';
import { trainRequestSchema } from '../src/shared/schemas.js';
import { makeTestsrcClip, tempDir } from './helpers.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'cam.mp4');
const tiny = { epochs: 2, latentDim: 4, batchSize: 16, maxFrames: 120, backend: 'wasm' as const, filters: [8, 8] };
let store: Store;
let videoId: number;

beforeAll(async () => {
  await makeTestsrcClip(clip, { seconds: 12, fps: 10, width: 160, height: 120 });
  store = new Store(join(tmp.dir, 'kinds.db'));
  videoId = (await ingestVideo(store, clip, { size: 16 })).videoId;
});
afterAll(() => {
  store.close();
  tmp.cleanup();
});

describe('model kinds', () => {
  it('vae-gp: stores its kind, a fitted GP trajectory model, and a finite gp score for every frame, batch-independent', async () => {
    const r = await trainModel(store, { ...tiny, kind: 'vae-gp', videoId, checkpointDir: join(tmp.dir, 'ck') });
    const m = getModel(store, r.modelId);
    expect(m.kind).toBe('vae-gp');
    const calib = m.calibration as Calibration;
    expect(calib.rule?.gp).toBe('both');
    expect(calib.rule?.stillness).toBeUndefined();
    expect(calib.gp!.model.hyper.lengthScale).toBeGreaterThan(0);
    expect(calib.gp!.model.center).toHaveLength(4);
    const own = readScores(store, r.modelId, videoId);
    expect(own.gp.every(Number.isFinite)).toBe(true);
    await scoreVideo(store, r.modelId, videoId, { batch: 37 });
    const again = readScores(store, r.modelId, videoId);
    expect(Array.from(again.gp)).toEqual(Array.from(own.gp));
    expect(Array.from(again.combined)).toEqual(Array.from(own.combined));

    // The importance-weighted bound: stored as iw = −L_K for every frame, L_K ≥ the ELBO of the same draws, reproducible.
    const iw = await iwScores(store, r.modelId, videoId, { samples: 8, seed: 3 });
    expect(iw.bound.every(Number.isFinite)).toBe(true);
    iw.bound.forEach((b, i) => expect(b).toBeGreaterThanOrEqual(iw.elbo[i]! - 1e-6));
    const stored = readScores(store, r.modelId, videoId).iw;
    expect(Array.from(stored)).toEqual(Array.from(iw.bound, (b) => Math.fround(-b)));
    // Generation: prior samples and a latent traversal decode to pictures of the model's size.
    const prior = samplePrior(store, r.modelId, 3, 5);
    expect(prior.pixels.length).toBe(3 * 16 * 16 * 3);
    expect(samplePrior(store, r.modelId, 3, 5).pixels).toEqual(prior.pixels);
    const trav = latentTraversal(store, r.modelId, videoId, 10, 1, 5, 2);
    expect(trav.pixels.length).toBe(5 * 16 * 16 * 3);
    expect(trav.values[4]! - trav.values[0]!).toBeCloseTo(4, 5);
    expect(trav.pixels.subarray(0, 768)).not.toEqual(trav.pixels.subarray(4 * 768)); // the sweep changes the picture
    // The smoothed trajectory, on demand from the stored latents: its statistic is the stored gp score.
    const traj = latentTrajectory(store, r.modelId, videoId);
    expect(traj.smooth.length).toBe(120 * 4);
    expect(Array.from(traj.stat, (v) => Math.fround(v))).toEqual(Array.from(again.gp));
    // The scatter draws it: in the PCA picture's coordinates, one point per frame; UMAP has no such map.
    const projections = new LatentProjections(store);
    const pca = await projections.get(r.modelId, videoId, 'pca');
    expect(pca.trajectory!.x).toHaveLength(120);
    expect(pca.trajectory!.y.every(Number.isFinite)).toBe(true);
    expect((await projections.get(r.modelId, videoId, 'umap')).trajectory).toBeNull();
    const again2 = await iwScores(store, r.modelId, videoId, { samples: 8, seed: 3, write: false, batch: 7 });
    expect(Array.from(again2.bound.slice(0, 7))).toEqual(Array.from(iw.bound.slice(0, 7)));
  });

  it('ae: trains the same network as an autoencoder; vae (the default) stores no gp score', async () => {
    const ae = await trainModel(store, { ...tiny, kind: 'ae', videoId, checkpointDir: join(tmp.dir, 'ck') });
    expect(getModel(store, ae.modelId).kind).toBe('ae');
    expect((getModel(store, ae.modelId).config as { train: { objective?: string } }).train.objective).toBe('autoencoder');
    const s = readScores(store, ae.modelId, videoId);
    expect(s.recon.every(Number.isFinite)).toBe(true);
    expect(s.gp.every(Number.isNaN)).toBe(true);
    await expect(iwScores(store, ae.modelId, videoId)).rejects.toThrow(/needs a VAE/);
    expect(() => latentTrajectory(store, ae.modelId, videoId)).toThrow(/no GP trajectory model/);
    expect((await new LatentProjections(store).get(ae.modelId, videoId, 'pca')).trajectory).toBeNull();
    const vae = await trainModel(store, { ...tiny, videoId, checkpointDir: join(tmp.dir, 'ck') });
    expect(getModel(store, vae.modelId).kind).toBe('vae');
    expect((getModel(store, vae.modelId).config as { train: { objective?: string } }).train.objective).toBeUndefined();
  });

  it('cvae: trains on (frame, previous frame) pairs, scores batch-independently (pairs cross batch edges), has an IW bound', async () => {
    const r = await trainModel(store, { ...tiny, kind: 'cvae', videoId, checkpointDir: join(tmp.dir, 'ck') });
    const m = getModel(store, r.modelId);
    expect(m.kind).toBe('cvae');
    expect((m.config as { conditionFrames?: number }).conditionFrames).toBe(1);
    expect((m.calibration as Calibration).rule).toEqual({ recon: 'both', patch: 'upper', sharpness: 'both', motion: 'upper' });
    const own = readScores(store, r.modelId, videoId);
    await scoreVideo(store, r.modelId, videoId, { batch: 13 });
    const again = readScores(store, r.modelId, videoId);
    expect(Array.from(again.recon)).toEqual(Array.from(own.recon));
    expect(again.combined.every(Number.isFinite)).toBe(true);
    const iw = await iwScores(store, r.modelId, videoId, { samples: 4 });
    expect(iw.bound.every(Number.isFinite)).toBe(true);
  });

  it('cvae on k = 2 earlier frames: 9-channel input, scores batch-independently (both predecessors cross batch edges), IW bound, traversal', async () => {
    const r = await trainModel(store, { ...tiny, kind: 'cvae', conditionFrames: 2, videoId, checkpointDir: join(tmp.dir, 'ck') });
    const m = getModel(store, r.modelId);
    expect((m.config as { conditionFrames?: number }).conditionFrames).toBe(2);
    const own = readScores(store, r.modelId, videoId);
    for (const batch of [1, 2, 13]) {
      await scoreVideo(store, r.modelId, videoId, { batch });
      expect(Array.from(readScores(store, r.modelId, videoId).recon)).toEqual(Array.from(own.recon));
    }
    expect((await iwScores(store, r.modelId, videoId, { samples: 4, write: false })).bound.every(Number.isFinite)).toBe(true);
    expect(latentTraversal(store, r.modelId, videoId, 1, 0, 3, 1).pixels.length).toBe(3 * 16 * 16 * 3);
    // A fine-tune keeps its parent's k; conditionFrames is the cvae's alone.
    await expect(trainModel(store, { ...tiny, videoId, parentModelId: r.modelId, conditionFrames: 1, checkpointDir: join(tmp.dir, 'ck') })).rejects.toThrow(/keeps its parent's 2/);
    await expect(trainModel(store, { ...tiny, kind: 'vae', conditionFrames: 2, videoId, checkpointDir: join(tmp.dir, 'ck') })).rejects.toThrow(/conditional VAE/);
    expect(trainRequestSchema.safeParse({ kind: 'cvae', conditionFrames: 5 }).success).toBe(false);
  });

  it.each(['pca', 'bgdiff'] as const)('%s: a baseline kind is fitted, stored with an ONNX scorer, calibrated on held-out frames, and scores', async (kind) => {
    const r = await trainModel(store, { kind, videoId, maxFrames: 120, checkpointDir: join(tmp.dir, 'ck') });
    const m = getModel(store, r.modelId);
    expect(m.kind).toBe(kind);
    expect(Number.isFinite(r.threshold)).toBe(true);
    const own = readScores(store, r.modelId, videoId);
    expect(own.recon.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(own.patch.every((v) => v === 0)).toBe(true); // not computed by a baseline
    const s = await scoreVideo(store, r.modelId, videoId);
    expect(s.frames).toBe(120);
    expect(Array.from(readScores(store, r.modelId, videoId).combined)).toEqual(Array.from(own.combined));
    await expect(trainModel(store, { kind, videoId, parentModelId: r.modelId, checkpointDir: join(tmp.dir, 'ck') })).rejects.toThrow(/cannot be fine-tuned/);
  });

  it('vq-vae: trains with a codebook, stores code usage and a rarity score, scores batch-independently; weights round-trip', async () => {
    const r = await trainModel(store, { ...tiny, kind: 'vq-vae', videoId, checkpointDir: join(tmp.dir, 'ck') });
    const m = getModel(store, r.modelId);
    expect(m.kind).toBe('vq-vae');
    const calib = m.calibration as Calibration;
    expect(calib.rule?.rarity).toBe('upper');
    expect(calib.rarity!.counts).toHaveLength(64);
    expect(calib.rarity!.counts.reduce((a, b) => a + b, 0)).toBe(96 * 16); // 96 training frames × 4×4 grid (16 px, two layers)
    expect((m.metrics as { codeUsage: { perplexity: number } }).codeUsage.perplexity).toBeGreaterThanOrEqual(1);
    const own = readScores(store, r.modelId, videoId);
    expect(own.rarity.every(Number.isFinite)).toBe(true);
    await scoreVideo(store, r.modelId, videoId, { batch: 29 });
    const again = readScores(store, r.modelId, videoId);
    expect(Array.from(again.rarity)).toEqual(Array.from(own.rarity));
    expect(Array.from(again.combined)).toEqual(Array.from(own.combined));
    const { weights, codebook, config } = unpackVqWeights(modelBlobs(store, r.modelId).weights);
    expect(config.codebookSize).toBe(64);
    expect(codebook).toHaveLength(64 * 8);
    expect(Object.keys(weights)).toContain('dec.logvar');
  });

  it('gmvae: trains with a mixture prior (frames labelled normal fix component 0), stores the prior, a mixture score and classes for the scatter; fine-tunes', async () => {
    const label = createLabel(store, { videoId, startIdx: 0, endIdx: 29, cls: 'normal' });
    try {
      const r = await trainModel(store, { ...tiny, kind: 'gmvae', epochs: 3, videoId, checkpointDir: join(tmp.dir, 'ck') });
      const m = getModel(store, r.modelId);
      expect(m.kind).toBe('gmvae');
      const mixture = (m.config as { mixture: { k: number; dim: number; weights: number[]; means: number[]; vars: number[] } }).mixture;
      expect(mixture.k).toBe(4);
      expect(mixture.dim).toBe(4);
      expect(mixture.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(mixture.means).toHaveLength(16);
      expect(mixture.vars.every((v) => v > 0)).toBe(true);
      const calib = m.calibration as Calibration;
      expect(calib.rule?.mixture).toBe('upper');
      expect(calib.mixture!.stat.scale).toBeGreaterThan(0);
      const metrics = m.metrics as { history: Array<{ mixture?: { usage: number[]; usageEntropy: number } }>; mixture: { k: number; labelledFrames: number; usageEntropy: number } };
      expect(metrics.history.filter((h) => h.mixture).length).toBe(3); // the warm-up epoch's first fit, then one EM update per epoch
      expect(metrics.history.every((h) => h.mixture!.usage.length === 4)).toBe(true);
      expect(metrics.mixture.labelledFrames).toBe(30);
      const own = readScores(store, r.modelId, videoId);
      expect(own.mixture.every(Number.isFinite)).toBe(true);
      expect(own.rarity.every(Number.isNaN)).toBe(true);
      await scoreVideo(store, r.modelId, videoId, { batch: 37 });
      const again = readScores(store, r.modelId, videoId);
      expect(Array.from(again.mixture)).toEqual(Array.from(own.mixture));
      expect(Array.from(again.combined)).toEqual(Array.from(own.combined));
      // The mixture component enters the combined score: the combined score (−log10 of the
      // Bonferroni-corrected smallest tail probability) is at least the mixture's own.
      const m2 = Object.keys(calib.rule!).length;
      expect(calib.rule!.mixture).toBe('upper');
      own.mixture.forEach((v, i) => expect(own.combined[i]!).toBeGreaterThanOrEqual(surprise(tailP(v, calib.tails!.mixture!, 'upper'), m2) - 1e-4)); // stored as float32
      const classes = mixtureClasses(m, readLatentMeans(store, r.modelId, videoId));
      expect(classes).not.toBeNull();
      expect(classes).toHaveLength(120);
      expect(classes!.every((c) => Number.isInteger(c) && c >= 0 && c < 4)).toBe(true);
      // The labelled span was trained with its class fixed to component 0 ('normal').
      expect(classes!.slice(0, 30).filter((c) => c === 0).length).toBeGreaterThan(20);
      expect(mixtureClasses(getModel(store, (await trainModel(store, { ...tiny, videoId, checkpointDir: join(tmp.dir, 'ck') })).modelId), readLatentMeans(store, r.modelId, videoId))).toBeNull();
      // Its importance-weighted bound uses the mixture as log p(z): finite, and above the same draws' ELBO.
      const iw = await iwScores(store, r.modelId, videoId, { samples: 8, seed: 3, write: false });
      expect(iw.bound.every(Number.isFinite)).toBe(true);
      iw.bound.forEach((b, i) => expect(b).toBeGreaterThanOrEqual(iw.elbo[i]! - 1e-6));
      // Generation draws z from the mixture, or from one component.
      const all = samplePrior(store, r.modelId, 6, 2);
      expect(all.pixels.length).toBe(6 * 16 * 16 * 3);
      const one = samplePrior(store, r.modelId, 200, 3, 1);
      const mean0 = Array.from({ length: 4 }, (_, d) => one.z.filter((_, i) => i % 4 === d).reduce((a, b) => a + b, 0) / 200);
      mean0.forEach((v, d) => expect(Math.abs(v - mixture.means[4 + d]!)).toBeLessThan(4 * Math.sqrt(mixture.vars[4 + d]! / 200) + 1e-6));
      expect(() => samplePrior(store, r.modelId, 1, 1, 4)).toThrow(/component must be in 0..3/);
      // A fine-tune starts from the parent's weights and mixture prior (no plain-VAE warm-up) and stays a gmvae.
      const ft = await trainModel(store, { videoId, parentModelId: r.modelId, epochs: 2, batchSize: 16, maxFrames: 120, backend: 'wasm', checkpointDir: join(tmp.dir, 'ck') });
      const fm = getModel(store, ft.modelId);
      expect(fm.kind).toBe('gmvae');
      expect((fm.metrics as { history: Array<{ mixture?: unknown }> }).history.every((h) => h.mixture)).toBe(true);
      expect((fm.config as { mixture: { k: number } }).mixture.k).toBe(4);
    } finally {
      deleteLabel(store, label.id);
    }
  });

  it('the API schema accepts the kinds and refuses others', () => {
    expect(trainRequestSchema.parse({ kind: 'gmvae' })).toEqual({ kind: 'gmvae' });
    expect(trainRequestSchema.parse({ kind: 'vae-gp' })).toEqual({ kind: 'vae-gp' });
    expect(() => trainRequestSchema.parse({ kind: 'made-up' })).toThrow();
  });
});
