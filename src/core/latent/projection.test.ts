import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers.js';
import { mulberry32 } from '../ml/prng.js';
import { type ScoreRow, clearScores, createModel, finishModel, writeScores } from '../store/models.js';
import { Store } from '../store/store.js';
import { exactNeighbours, FittedNeighbourSearch, membershipWeights } from './latent-neighbours.js';
import { workerEntryBeside } from '../jobs/worker-host.js';
import { umapInWorker } from './umap-worker.js';
import { type LatentMeans, readLatentMeans } from '../store/scores.js';
import { LatentProjections, projectOntoPca, projectPca, projectUmap } from './projection.js';

const tmp = tempDir('lw-projection-');
afterAll(() => tmp.cleanup());

const DIM = 8;

/** Standard normal draws from a seeded generator (Box–Muller). */
function normal(seed: number): () => number {
  const r = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function newStore(name: string): { store: Store; videoId: number; modelId: number } {
  const store = new Store(join(tmp.dir, `${name}.db`));
  const videoId = store.beginVideo({
    path: '/footage/lobby.mp4', name: 'lobby.mp4', sizeBytes: 1, codec: 'h264', width: 64, height: 64, sourceFps: 10, durationSec: 1,
    sampledFps: 10, frameSize: 8, channels: 3,
  });
  store.finishVideo(videoId, 'hash');
  const modelId = createModel(store, { kind: 'vae', name: 'VAE', config: { latentDim: DIM, inputSize: 8 }, trainVideoId: videoId });
  finishModel(store, modelId, { weights: new Uint8Array(1), onnx: new Uint8Array(1), calibration: { threshold: 1 }, metrics: {}, backend: 'wasm' });
  return { store, videoId, modelId };
}

/** Store μ rows (scores derived from them) as a scoring run would. */
function storeLatents(store: Store, modelId: number, videoId: number, mus: Float32Array[], firstIdx = 0): void {
  const rows: ScoreRow[] = mus.map((mu, k) => ({
    idx: firstIdx + k, recon: 0, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0,
    combined: mu.reduce((a, b) => a + b * b, 0), mu, logvar: new Float32Array(mu.length),
  }));
  writeScores(store, modelId, videoId, rows);
}

/** n points: dominant spread along `direction` (σ = 5), small isotropic noise (σ = 0.3), offset mean. */
function alongDirection(n: number, direction: number[], seed: number): Float32Array[] {
  const g = normal(seed);
  const norm = Math.hypot(...direction);
  return Array.from({ length: n }, () => {
    const t = 5 * g();
    return Float32Array.from({ length: DIM }, (_, d) => 2 + (t * direction[d]!) / norm + 0.3 * g());
  });
}

/** Two tight clusters 20 apart (each frame in either at random, or alternating), in DIM dimensions. */
function twoClusters(n: number, seed: number, alternate = false): { mus: Float32Array[]; cluster: number[] } {
  const g = normal(seed);
  const pick = mulberry32(seed + 100);
  const cluster = Array.from({ length: n }, (_, i) => (alternate ? i % 2 : pick() < 0.5 ? 0 : 1));
  const mus = cluster.map((c) => Float32Array.from({ length: DIM }, (_, d) => (d === 0 ? 20 * c : 0) + 0.5 * g()));
  return { mus, cluster };
}

function means(mus: Float32Array[]): LatentMeans {
  const dim = mus[0]!.length;
  const mu = new Float32Array(mus.length * dim);
  mus.forEach((m, i) => mu.set(m, i * dim));
  return { index: Int32Array.from(mus, (_, i) => i), mu, dim, count: mus.length };
}

/** Mean distance between points of different clusters over the mean distance within one (2-D). */
function separation(x: ArrayLike<number>, y: ArrayLike<number>, cluster: number[]): { within: number; between: number } {
  let within = 0, nw = 0, between = 0, nb = 0;
  for (let i = 0; i < cluster.length; i += 7) {
    for (let j = i + 1; j < cluster.length; j += 5) {
      const d = Math.hypot(x[i]! - x[j]!, y[i]! - y[j]!);
      if (cluster[i] === cluster[j]) {
        within += d;
        nw++;
      } else {
        between += d;
        nb++;
      }
    }
  }
  return { within: within / nw, between: between / nb };
}

describe('PCA projection', () => {
  it('standardizes each dimension first: one large-scale dimension does not take the picture', () => {
    // Dimension 0 wanders with σ = 100 on its own; dimensions 1–3 move together (σ ≈ 1), the rest are noise.
    const g = normal(3);
    const t: number[] = [];
    const mus = Array.from({ length: 4000 }, () => {
      const s = g();
      t.push(s);
      return Float32Array.from({ length: DIM }, (_, d) => (d === 0 ? 100 * g() : d <= 3 ? s + 0.1 * g() : 0.3 * g()));
    });
    const p = projectPca(means(mus));
    // In z-scores the three correlated dimensions carry ≈ 3 of the 8 units of variance.
    expect(p.explained[0]).toBeCloseTo(3 / 8, 1);
    // x follows their common motion, not the large dimension 0.
    const corr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      const n = a.length;
      let ma = 0, mb = 0;
      for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i]! / n, mb + b[i]! / n];
      let sab = 0, saa = 0, sbb = 0;
      for (let i = 0; i < n; i++) [sab, saa, sbb] = [sab + (a[i]! - ma) * (b[i]! - mb), saa + (a[i]! - ma) ** 2, sbb + (b[i]! - mb) ** 2];
      return sab / Math.sqrt(saa * sbb);
    };
    expect(Math.abs(corr(p.x, t))).toBeGreaterThan(0.99);
    expect(Math.abs(corr(p.x, mus.map((m) => m[0]!)))).toBeLessThan(0.1);
    // Centred coordinates.
    expect(Math.abs(p.x.reduce((a, b) => a + b, 0) / p.x.length)).toBeLessThan(1e-3);
  });

  it('keeps its signs fixed when the data is mirrored', () => {
    const base = alongDirection(500, [0, 0, 1, 1, 0, 0, 0, 0], 2);
    const mirrored = base.map((mu) => mu.map((v) => -v));
    const a = projectPca(means(base));
    const b = projectPca(means(mirrored));
    // The largest coefficient of the first axis is positive for both.
    const biggest = (axes: Float64Array) => axes.subarray(0, DIM).reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
    expect(biggest(a.axes)).toBeGreaterThan(0);
    expect(biggest(b.axes)).toBeGreaterThan(0);
    // The picture is mirrored too: x flips with the data.
    expect(b.x[0]).toBeCloseTo(-a.x[0]!, 4);
  });

  it('gives zero shares for a video whose frames all have the same μ', () => {
    const p = projectPca(means(Array.from({ length: 10 }, () => new Float32Array(DIM).fill(1))));
    expect(p.explained).toEqual([0, 0]);
    expect([...p.x, ...p.y].every((v) => v === 0)).toBe(true);
  });
});

describe('UMAP projection', () => {
  it('separates two well-separated clusters and is deterministic', async () => {
    const { mus, cluster } = twoClusters(300, 3);
    const a = await projectUmap(means(mus));
    const b = await projectUmap(means(mus));
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    const s = separation(a.x, a.y, cluster);
    expect(s.between).toBeGreaterThan(3 * s.within);
    // Another seed: another layout, same separation.
    const c = await projectUmap(means(mus), { seed: 7 });
    expect(Array.from(c.x)).not.toEqual(Array.from(a.x));
    const sc = separation(c.x, c.y, cluster);
    expect(sc.between).toBeGreaterThan(3 * sc.within);
  });

  it('fits a subsample of a long video and places every other frame beside its own cluster', async () => {
    // Alternating frames: a subsample at a fixed stride (12 here) would hold only one of the clusters.
    const { mus, cluster } = twoClusters(6000, 4, true);
    const m = means(mus);
    const p = await projectUmap(m, { fitLimit: 500 });
    expect(p.x.every(Number.isFinite) && p.y.every(Number.isFinite)).toBe(true);
    const s = separation(p.x, p.y, cluster);
    expect(s.between).toBeGreaterThan(3 * s.within);
    // Placed frames (not in the subsample) lie nearer their own cluster's centre than the other's.
    const centre = (c: number) => {
      let cx = 0, cy = 0, n = 0;
      cluster.forEach((k, i) => {
        if (k !== c) return;
        cx += p.x[i]!;
        cy += p.y[i]!;
        n++;
      });
      return [cx / n, cy / n] as const;
    };
    const centres = [centre(0), centre(1)];
    let wrong = 0;
    for (let i = 1; i < 6000; i += 12) {
      const own = centres[cluster[i]!]!, other = centres[1 - cluster[i]!]!;
      if (Math.hypot(p.x[i]! - own[0], p.y[i]! - own[1]) >= Math.hypot(p.x[i]! - other[0], p.y[i]! - other[1])) wrong++;
    }
    expect(wrong).toBe(0);
    expect(p.timings.fit).toBeGreaterThan(0);
    expect(p.timings.place).toBeGreaterThan(0);
  });

  it('refuses a video with too few frames', async () => {
    await expect(projectUmap(means(twoClusters(5, 1).mus))).rejects.toThrow(/at least 8 scored frames.*use PCA/);
  });

  it('lays out 100,000 frames in seconds', async () => {
    // Latents on a curved 3-d manifold with small noise in the other dimensions, like a VAE's μ of
    // one camera: the timing figure quoted in projection.ts.
    const n = 100_000, dim = 16, g = normal(9);
    const mu = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const t = (i / n) * 20;
      for (let d = 0; d < dim; d++) mu[i * dim + d] = d < 3 ? 2 * Math.sin(t * (d + 1)) + 0.2 * g() : 0.05 * g();
    }
    const t0 = performance.now();
    const p = await projectUmap({ index: Int32Array.from({ length: n }, (_, i) => i), mu, dim, count: n });
    const seconds = (performance.now() - t0) / 1000;
    const t = p.timings;
    console.log(`UMAP of ${n} frames: ${seconds.toFixed(1)} s (k-NN ${(t.neighbours / 1000).toFixed(1)} s, fit ${(t.fit / 1000).toFixed(1)} s, placing ${(t.place / 1000).toFixed(1)} s)`);
    expect(p.x.every(Number.isFinite)).toBe(true);
    // Generous for a loaded 2-core CI machine; a direct umap-js fit of 100,000 frames takes many minutes.
    expect(seconds).toBeLessThan(60);
  });
});

describe('latent neighbours', () => {
  it('finds exact neighbours, themselves first', () => {
    const { mus, cluster: clusters } = twoClusters(50, 5);
    const m = means(mus);
    const rows = Array.from({ length: 50 }, (_, i) => i);
    const knn = exactNeighbours(m.mu, m.dim, rows, 4);
    knn.indices.forEach((list, a) => {
      expect(list[0]).toBe(a);
      // Every listed neighbour of a is in a's cluster (clusters are 20 apart, noise 0.5).
      list.forEach((b) => expect(clusters[b]).toBe(clusters[a]));
      const brute = rows.map((b) => [b, Math.hypot(...Array.from({ length: m.dim }, (_, d) => m.mu[a * m.dim + d]! - m.mu[b * m.dim + d]!))] as const);
      brute.sort((p, q) => p[1] - q[1]);
      knn.distances[a]!.forEach((d, k) => expect(d).toBeCloseTo(brute[k]![1], 4));
    });
  });

  it('graph search finds nearly all true nearest fitted frames', () => {
    const n = 20_000, dim = 16, g = normal(11);
    const mu = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mu[i * dim + d] = d < 3 ? 2 * Math.sin((i / n) * 20 * (d + 1)) + 0.2 * g() : 0.05 * g();
    const fit = Array.from({ length: 1000 }, (_, k) => Math.floor(((k + 0.5) * n) / 1000));
    const search = new FittedNeighbourSearch(mu, dim, fit, exactNeighbours(mu, dim, fit, 15), 15);
    let hits = 0;
    const probes = Array.from({ length: 100 }, (_, k) => k * 197 + 3);
    for (const i of probes) {
      const truth = fit
        .map((f, k) => [k, Array.from({ length: dim }, (_, d) => (mu[i * dim + d]! - mu[f * dim + d]!) ** 2).reduce((a, b) => a + b)] as const)
        .sort((a, b) => a[1] - b[1])
        .slice(0, 15)
        .map((e) => e[0]);
      const seed = Math.min(999, Math.floor((i * 1000) / n));
      const found = new Set(search.search(i, [seed], 15).indices);
      hits += truth.filter((k) => found.has(k)).length;
    }
    expect(hits / (15 * probes.length)).toBeGreaterThan(0.95);
  });

  it('weights neighbours like UMAP: nearer weighs more, the sum is 1', () => {
    const w = membershipWeights([0.5, 1, 2, 4]);
    expect(w.reduce((a, b) => a + b)).toBeCloseTo(1, 10);
    for (let k = 1; k < 4; k++) expect(w[k]).toBeLessThan(w[k - 1]!);
    expect(Array.from(membershipWeights([1, 1, 1]))).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(membershipWeights([0.3]))).toEqual([1]);
  });
});

describe('LatentProjections (the API)', () => {
  it('projects the stored μ of a scored video, in frame order', async () => {
    const { store, videoId, modelId } = newStore('api');
    const mus = alongDirection(300, [0, 1, 1, 1, 1, 1, 1, 0], 6);
    storeLatents(store, modelId, videoId, mus.slice(150), 150);
    storeLatents(store, modelId, videoId, mus.slice(0, 150), 0);
    const m = readLatentMeans(store, modelId, videoId);
    expect(m.count).toBe(300);
    expect(Array.from(m.mu.subarray(5 * DIM, 6 * DIM))).toEqual(Array.from(mus[5]!));
    const api = new LatentProjections(store);
    const p = await api.get(modelId, videoId, 'pca');
    expect(p).toMatchObject({ modelId, videoId, method: 'pca', mixtureClass: null });
    expect(p.index).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(p.x).toHaveLength(300);
    // Six of the eight standardized dimensions move together.
    expect(p.explained[0]).toBeGreaterThan(0.6);
    // x follows the dominant direction (sign fixed positive): the frame furthest along it is rightmost.
    const along = (mu: Float32Array) => mu.slice(1, 7).reduce((a, b) => a + b, 0);
    const hi = mus.reduce((best, mu, i) => (along(mu) > along(mus[best]!) ? i : best), 0);
    expect(Math.max(...p.x)).toBe(p.x[hi]);
    const u = await api.get(modelId, videoId, 'umap');
    expect(u).toMatchObject({ method: 'umap', explained: [], mixtureClass: null });
    expect(u.x).toHaveLength(300);
    store.close();
  });

  it('answers repeated calls from its cache and recomputes when a re-score replaces the latents', async () => {
    const { store, videoId, modelId } = newStore('cache');
    storeLatents(store, modelId, videoId, alongDirection(200, [1, 0, 0, 0, 0, 0, 0, 0], 7));
    const api = new LatentProjections(store);
    const first = await api.get(modelId, videoId, 'umap');
    const t0 = performance.now();
    const again = await api.get(modelId, videoId, 'umap');
    expect(performance.now() - t0).toBeLessThan(50);
    expect(again).toBe(first);
    // Re-score: the latents change (here: now along another axis).
    clearScores(store, modelId, videoId);
    storeLatents(store, modelId, videoId, alongDirection(200, [0, 0, 0, 0, 0, 1, 0, 0], 8));
    const pca = await api.get(modelId, videoId, 'pca');
    const after = await api.get(modelId, videoId, 'umap');
    expect(after).not.toBe(first);
    expect(after.x).not.toEqual(first.x);
    expect(await api.get(modelId, videoId, 'pca')).toBe(pca);
    // A write by another connection (the scoring worker has its own) is seen too.
    const worker = new Store(store.path);
    clearScores(worker, modelId, videoId);
    storeLatents(worker, modelId, videoId, alongDirection(120, [0, 0, 1, 0, 0, 0, 0, 0], 9));
    worker.close();
    expect((await api.get(modelId, videoId, 'pca')).x).toHaveLength(120);
    store.close();
  });

  it('asks for a score first when the video has no latents from the model, and names unknown ids', async () => {
    const { store, videoId, modelId } = newStore('errors');
    const api = new LatentProjections(store);
    await expect(api.get(modelId, videoId, 'pca')).rejects.toMatchObject({ name: 'NotScoredError', message: expect.stringMatching(`Score this video with model ${modelId} first`) });
    await expect(api.get(999, videoId, 'pca')).rejects.toMatchObject({ name: 'NotFoundError', message: 'There is no model 999.' });
    await expect(api.get(modelId, 999, 'umap')).rejects.toMatchObject({ name: 'NotFoundError' });
    // A failure is not cached: once scored, the same call succeeds.
    storeLatents(store, modelId, videoId, alongDirection(20, [1, 0, 0, 0, 0, 0, 0, 0], 9));
    expect((await api.get(modelId, videoId, 'pca')).x).toHaveLength(20);
    // Too few frames for UMAP: a clear error, PCA still works.
    clearScores(store, modelId, videoId);
    storeLatents(store, modelId, videoId, alongDirection(5, [1, 0, 0, 0, 0, 0, 0, 0], 10));
    await expect(api.get(modelId, videoId, 'umap')).rejects.toMatchObject({ name: 'TooFewFramesError' });
    expect((await api.get(modelId, videoId, 'pca')).x).toHaveLength(5);
    store.close();
  });
});

describe('UMAP in a worker thread (what the app uses)', () => {
  it('gives the same layout as in this thread, and its errors keep their names', async () => {
    const { store, videoId, modelId } = newStore('worker');
    storeLatents(store, modelId, videoId, alongDirection(200, [0, 0, 1, 0, 0, 0, 0, 0], 12));
    const inThread = await new LatentProjections(store).get(modelId, videoId, 'umap');
    const viaWorker = await new LatentProjections(store, { runUmap: umapInWorker(workerEntryBeside(import.meta.url), store.path) }).get(modelId, videoId, 'umap');
    expect(viaWorker.x).toEqual(inThread.x);
    expect(viaWorker.y).toEqual(inThread.y);
    clearScores(store, modelId, videoId);
    storeLatents(store, modelId, videoId, alongDirection(5, [1, 0, 0, 0, 0, 0, 0, 0], 10));
    const run = umapInWorker(workerEntryBeside(import.meta.url), store.path);
    await expect(run(modelId, videoId)).rejects.toMatchObject({ name: 'TooFewFramesError' });
    store.close();
  }, 60_000);
});

describe('projectOntoPca', () => {
  it("puts other points (a smoothed trajectory) in the PCA picture's coordinates: the frames' own μ land on their dots", () => {
    const g = normal(5);
    const count = 50, dim = 4;
    const mu = Float32Array.from({ length: count * dim }, (_, k) => (k % dim === 0 ? 3 : 1) * g());
    const p = projectPca({ mu, dim, count, index: Int32Array.from({ length: count }, (_, i) => i) } as unknown as LatentMeans);
    const again = projectOntoPca(p, mu, dim);
    for (let i = 0; i < count; i++) {
      expect(again.x[i]).toBeCloseTo(p.x[i]!, 9);
      expect(again.y[i]).toBeCloseTo(p.y[i]!, 9);
    }
    // The mean of μ maps to the origin.
    const at = projectOntoPca(p, p.mean, dim);
    expect(Math.abs(at.x[0]!)).toBeLessThan(1e-9);
  });
});
