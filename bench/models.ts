/**
 * The model family compared on the same footage: every kind trained on each shared/bench scene's
 * train.mp4 only, every frame of test.mp4 scored, frame-level ROC-AUC overall and per event kind
 * (the protocol of shared/bench/README.md, through engine/evaluate.ts), beside the two classical
 * baselines computed on the same frames. Also training and scoring frames/s and the model's size
 * (its ONNX graph; the baselines have no stored model).
 *
 *   npm run bench:models -- [--kinds vae,ae,vae-gp] [--seeds 1,2,3] [--epochs N] [--iw K (16; 0 off)] [--scenes /tmp] [--json]
 *
 * Scenes are generated once with ../shared/bench/make-scene.mjs into SCENES/scene-SEED and reused.
 * Seeds 1-3 are the report seeds; choices (windows, combination rules) were made on seeds 4-5.
 * One kind on one seed takes ~3 min on a 2-core machine at the default 20 epochs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type EvalReport, evaluate } from '../src/core/engine/evaluate.js';
import { mixtureClasses } from '../src/core/latent/projection.js';
import { readLatentMeans } from '../src/core/store/scores.js';
import { getModel, modelBlobs } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { MODEL_KINDS, type ModelKind } from '../src/shared/domain.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const EVENT_KINDS = ['occlusion', 'defocus', 'displacement', 'exposure', 'intruder', 'freeze'] as const;

interface Row {
  kind: string;
  seed: number;
  auc: Record<string, number>;
  trainFps: number | null;
  scoreFps: number | null;
  sizeBytes: number | null;
  seconds: number;
}

function sceneDir(base: string, seed: number): string {
  const dir = join(base, `scene-${seed}`);
  if (existsSync(join(dir, 'truth.csv')) && existsSync(join(dir, 'test.mp4')) && existsSync(join(dir, 'train.mp4'))) return dir;
  const maker = resolve(root, '..', 'shared', 'bench', 'make-scene.mjs');
  if (!existsSync(maker)) throw new Error(`The bench scenes come from ${maker} (shared/ beside the repository): it is not there.`);
  const script = maker;
  console.error(`generating scene ${seed} in ${dir} ...`);
  execFileSync(process.execPath, [script, '--out', dir, '--seed', String(seed)], { stdio: 'inherit' });
  return dir;
}

/** A mixture-prior model's class usage: its training metrics, and the argmax classes of every frame it scored. */
interface MixtureUsage {
  k: number;
  /** Normalized entropy of the class usage in its last training epoch (1: even, 0: one class). */
  trainEntropy: number | null;
  /** Frames per class (argmax responsibility of μ) over every video it scored. */
  counts: number[];
}

function mixtureUsage(store: Store, modelId: number): MixtureUsage | null {
  const m = getModel(store, modelId);
  const metrics = m.metrics as { mixture?: { k: number; usageEntropy: number | null } } | null;
  if (!metrics?.mixture) return null;
  const counts = new Array<number>(metrics.mixture.k).fill(0);
  const videos = store.db.prepare('SELECT DISTINCT video_id AS id FROM scores WHERE model_id = ?').all(modelId) as { id: number }[];
  for (const v of videos) for (const c of mixtureClasses(m, readLatentMeans(store, modelId, v.id)) ?? []) counts[c]!++;
  return { k: metrics.mixture.k, trainEntropy: metrics.mixture.usageEntropy, counts };
}

async function runOne(
  kind: ModelKind, seed: number, scene: string, epochs: number | undefined, iwSamples: number,
): Promise<{ report: EvalReport; size: number; seconds: number; mixture: MixtureUsage | null }> {
  const tmp = mkdtempSync(join(tmpdir(), 'latentwatch-bench-models-'));
  const store = new Store(join(tmp, 'bench.db'));
  const t0 = performance.now();
  try {
    const report = await evaluate(store, {
      trainPath: join(scene, 'train.mp4'),
      testPath: join(scene, 'test.mp4'),
      truthCsv: readFileSync(join(scene, 'truth.csv'), 'utf8'),
      iwSamples,
      train: { kind, checkpointDir: join(tmp, 'checkpoints'), ...(epochs ? { epochs } : {}) },
    });
    const seconds = (performance.now() - t0) / 1000;
    return { report, size: modelBlobs(store, report.modelId).onnx.byteLength, seconds, mixture: mixtureUsage(store, report.modelId) };
  } finally {
    store.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '   -  ' : x.toFixed(3));

function printTable(rows: Row[]): void {
  const cols = ['overall', ...EVENT_KINDS];
  const head = ['kind'.padEnd(10), 'seed'.padStart(4), ...cols.map((c) => c.slice(0, 8).padStart(8)), 'train f/s'.padStart(10), 'score f/s'.padStart(10), 'size KiB'.padStart(9)];
  console.log(head.join(' '));
  const line = (r: { kind: string; seed: string; auc: Record<string, number>; trainFps: number | null; scoreFps: number | null; sizeBytes: number | null }) =>
    console.log(
      [
        r.kind.padEnd(10),
        r.seed.padStart(4),
        ...cols.map((c) => f3(r.auc[c]).padStart(8)),
        (r.trainFps === null ? '-' : r.trainFps.toFixed(1)).padStart(10),
        (r.scoreFps === null ? '-' : r.scoreFps.toFixed(0)).padStart(10),
        (r.sizeBytes === null ? '-' : (r.sizeBytes / 1024).toFixed(0)).padStart(9),
      ].join(' '),
    );
  const kinds = [...new Set(rows.map((r) => r.kind))];
  for (const k of kinds) {
    const mine = rows.filter((r) => r.kind === k);
    for (const r of mine) line({ ...r, seed: String(r.seed) });
    if (mine.length > 1) {
      const mean = (pick: (r: Row) => number | null) => {
        const v = mine.map(pick).filter((x): x is number => x !== null && !Number.isNaN(x));
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
      };
      line({
        kind: k,
        seed: 'mean',
        auc: Object.fromEntries(cols.map((c) => [c, mean((r) => r.auc[c] ?? null) ?? NaN])),
        trainFps: mean((r) => r.trainFps),
        scoreFps: mean((r) => r.scoreFps),
        sizeBytes: mean((r) => r.sizeBytes),
      });
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { kinds: { type: 'string' }, seeds: { type: 'string' }, epochs: { type: 'string' }, scenes: { type: 'string' }, iw: { type: 'string' }, json: { type: 'boolean' } },
  });
  const kinds = (values.kinds ? values.kinds.split(',') : [...MODEL_KINDS]).map((k) => k.trim());
  for (const k of kinds) if (!(MODEL_KINDS as readonly string[]).includes(k)) throw new Error(`--kinds: unknown kind ${k} (choose from ${MODEL_KINDS.join(', ')})`);
  const seeds = (values.seeds ?? '1,2,3').split(',').map(Number);
  const epochs = values.epochs ? Number(values.epochs) : undefined;
  const base = values.scenes ?? tmpdir();
  const iwSamples = values.iw === undefined ? 16 : Number(values.iw);
  const iwRows: string[] = [];
  const mixRows: string[] = [];
  const rows: Row[] = [];
  const baselines: Row[] = [];
  for (const seed of seeds) {
    const scene = sceneDir(base, seed);
    for (const kind of kinds as ModelKind[]) {
      console.error(`training ${kind} on seed ${seed}${epochs ? ` (${epochs} epochs)` : ''} ...`);
      const { report, size, seconds, mixture } = await runOne(kind, seed, scene, epochs, iwSamples);
      if (mixture) {
        const total = mixture.counts.reduce((a, b) => a + b, 0);
        let h = 0;
        for (const c of mixture.counts) if (c > 0) h -= (c / total) * Math.log(c / total);
        mixRows.push(
          `${kind.padEnd(8)} ${String(seed).padStart(4)} ${String(mixture.k).padStart(3)} ${f3(mixture.trainEntropy ?? NaN).padStart(10)} ${f3(mixture.k > 1 ? h / Math.log(mixture.k) : NaN).padStart(10)}   ${mixture.counts.join(' / ')}`,
        );
      }
      if (report.iw)
        iwRows.push(
          `${kind.padEnd(8)} ${String(seed).padStart(4)} ${report.iw.meanElbo.toFixed(1).padStart(10)} ${report.iw.meanBound.toFixed(1).padStart(10)} ${report.iw.meanEss.toFixed(1).padStart(6)} ${f3(report.components.iw?.overall).padStart(8)} ${f3(report.components.iw?.freeze).padStart(8)}`,
        );
      rows.push({ kind, seed, auc: report.auc, trainFps: report.trainFramesPerSec, scoreFps: report.scoreFramesPerSec, sizeBytes: size, seconds });
      if (!baselines.some((b) => b.seed === seed)) {
        // The evaluation's own reference baselines on the same frames (named apart from the bgdiff and pca model kinds).
        baselines.push({ kind: 'ref-bgdiff', seed, auc: report.baselines.bgdiff, trainFps: null, scoreFps: null, sizeBytes: null, seconds: 0 });
        baselines.push({ kind: 'ref-pca16', seed, auc: report.baselines.pca16, trainFps: null, scoreFps: null, sizeBytes: null, seconds: 0 });
        baselines.push({ kind: 'ref-framediff', seed, auc: report.baselines.framediff, trainFps: null, scoreFps: null, sizeBytes: null, seconds: 0 });
      }
      if (values.json) console.log(JSON.stringify({ kind, seed, seconds, auc: report.auc, components: report.components, trainFps: report.trainFramesPerSec, scoreFps: report.scoreFramesPerSec, sizeBytes: size }));
      console.error(`  ${kind} seed ${seed}: overall AUC ${report.auc.overall?.toFixed(3)} in ${seconds.toFixed(0)} s`);
    }
  }
  console.log(`\nFrame-level ROC-AUC on test.mp4 (trained on train.mp4 only), seeds ${seeds.join(', ')}${epochs ? `, ${epochs} epochs` : ', default epochs'}:`);
  printTable([...rows, ...baselines.sort((a, b) => a.kind.localeCompare(b.kind) || a.seed - b.seed)]);
  if (mixRows.length) {
    console.log('\nMixture classes: normalized usage entropy in the last training epoch, and of the argmax classes of every scored frame (train and test videos):');
    console.log(`${'kind'.padEnd(8)} ${'seed'.padStart(4)} ${'K'.padStart(3)} ${'train H'.padStart(10)} ${'frames H'.padStart(10)}   frames per class`);
    for (const r of mixRows) console.log(r);
  }
  if (iwRows.length) {
    console.log(`\nImportance-weighted log p(x) (K = ${iwSamples}), mean over normal test frames, nats; AUC of −L_K alone:`);
    console.log(`${'kind'.padEnd(8)} ${'seed'.padStart(4)} ${'ELBO'.padStart(10)} ${'L_K'.padStart(10)} ${'ESS'.padStart(6)} ${'AUC iw'.padStart(8)} ${'freeze'.padStart(8)}`);
    for (const r of iwRows) console.log(r);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
