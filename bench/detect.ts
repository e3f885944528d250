/**
 * Detection on real and synthetic footage in one table (issue 10 item 5): every kind given is trained
 * on the UCSD Ped2 dev training clips (train.mp4, 16 clips joined) and scores the dev test clips
 * Test001-Test006 (test.mp4 split by clips.csv), and likewise on the shared/bench synthetic scenes
 * (seeds 1-3 by default), through engine/evaluate.ts. Beside them the evaluation's reference
 * baselines (bgdiff, pca16, framediff) on the same frames.
 *
 * Columns: pooled frame AUC (deployable: scores as stored, all test frames pooled), per-clip AUC (the
 * papers' protocol: min-max scaled within each clip; comparison only), at the model's own threshold the
 * false-positive rate of normal frames, event recall from the stored events (and anomalous clips found),
 * false alarms per hour of normal footage; training and scoring frames/s and training seconds.
 *
 *   npm run bench:detect -- [--kinds vae,bgdiff] [--epochs N] [--max-frames N] [--seeds 1,2,3 | none]
 *                           [--no-ped2] [--ped2 DIR] [--scenes DIR] [--out FILE.md] [--state FILE.jsonl] [--fresh]
 *
 * Resumable: each finished row is appended to the state file (default: --out with .jsonl) and printed;
 * a rerun with the same settings skips rows already there (--fresh starts over). The markdown table,
 * with the published Ped2 numbers, is rewritten to --out after every row.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type EvalOptions, type EvalReport, evaluate } from '../src/core/engine/evaluate.js';
import { Store } from '../src/core/store/store.js';
import { MODEL_KINDS, type ModelKind } from '../src/shared/domain.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Published frame-level AUC on all 12 Ped2 test clips, paper (per-clip) protocol (shared/data/ucsd-ped2/README.md). */
export const PUBLISHED_PED2: ReadonlyArray<[string, number]> = [
  ['Conv-AE (Hasan et al. 2016)', 0.9],
  ['MemAE (Gong et al. 2019)', 0.941],
  ['AnoPred/FFP (Liu et al. 2018)', 0.954],
  ['MNAD (Park et al. 2020)', 0.97],
  ['OCAE (Ionescu et al. 2019)', 0.978],
  ['HF2-VAD (Liu et al. 2021)', 0.993],
];

export interface DetectRow {
  /** 'ped2' or 'seed N'. */
  dataset: string;
  /** Model kind, or ref-bgdiff / ref-pca16 / ref-framediff. */
  kind: string;
  /** The settings the row was measured with (a resumed run only reuses rows with the same). */
  settings: string;
  pooled: number;
  perClip: number;
  fpr: number | null;
  eventRecall: number | null;
  eventsFound: string | null;
  clipsFound: string | null;
  falseAlarmsPerHour: number | null;
  falseAlarms: number | null;
  normalMinutes: number | null;
  trainFps: number | null;
  scoreFps: number | null;
  trainSeconds: number | null;
  seconds: number | null;
}

interface Dataset {
  name: string;
  options: () => Omit<EvalOptions, 'train' | 'iwSamples'>;
}

function sceneDir(base: string, seed: number): string {
  const dir = join(base, `scene-${seed}`);
  if (existsSync(join(dir, 'truth.csv')) && existsSync(join(dir, 'test.mp4')) && existsSync(join(dir, 'train.mp4'))) return dir;
  const maker = resolve(root, '..', 'shared', 'bench', 'make-scene.mjs');
  if (!existsSync(maker)) throw new Error(`The bench scenes come from ${maker} (shared/ beside the repository): it is not there (or pass --seeds none).`);
  const script = maker;
  console.error(`generating scene ${seed} in ${dir} ...`);
  execFileSync(process.execPath, [script, '--out', dir, '--seed', String(seed)], { stdio: 'inherit' });
  return dir;
}

const f3 = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
const fx = (x: number | null | undefined, d: number): string => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

export function rowsFromReport(dataset: string, settings: string, r: EvalReport, seconds: number): DetectRow[] {
  const d = r.detection;
  const model: DetectRow = {
    dataset,
    kind: r.kind,
    settings,
    pooled: r.auc.overall,
    perClip: r.perClip.auc.overall,
    fpr: d.falsePositiveRate,
    eventRecall: d.eventRecall,
    eventsFound: `${d.eventsFound}/${d.truthEvents}`,
    clipsFound: `${d.clipsFound}/${d.anomalousClips}`,
    falseAlarmsPerHour: d.falseAlarmsPerHour,
    falseAlarms: d.falseAlarms,
    normalMinutes: d.normalHours * 60,
    trainFps: r.trainFramesPerSec,
    scoreFps: r.scoreFramesPerSec,
    trainSeconds: r.trainSeconds,
    seconds,
  };
  const refs = (['bgdiff', 'pca16', 'framediff'] as const).map(
    (b): DetectRow => ({
      dataset,
      kind: `ref-${b}`,
      settings,
      pooled: r.baselines[b].overall,
      perClip: r.perClip.baselines[b].overall,
      fpr: null,
      eventRecall: null,
      eventsFound: null,
      clipsFound: null,
      falseAlarmsPerHour: null,
      falseAlarms: null,
      normalMinutes: null,
      trainFps: null,
      scoreFps: null,
      trainSeconds: null,
      seconds: null,
    }),
  );
  return [model, ...refs];
}

const COLUMNS = ['footage', 'kind', 'pooled AUC', 'per-clip AUC', 'FPR at thr.', 'event recall', 'clips found', 'false alarms/h', 'train f/s', 'score f/s', 'train s'];

function cells(r: DetectRow): string[] {
  return [
    r.dataset,
    r.kind,
    f3(r.pooled),
    f3(r.perClip),
    r.fpr === null ? '–' : `${(100 * r.fpr).toFixed(1)}%`,
    r.eventRecall === null ? '–' : `${f3(r.eventRecall)} (${r.eventsFound})`,
    r.clipsFound ?? '–',
    r.falseAlarmsPerHour === null ? '–' : `${fx(r.falseAlarmsPerHour, 0)}${typeof r.falseAlarms === 'number' && typeof r.normalMinutes === 'number' ? ` (${r.falseAlarms} in ${r.normalMinutes.toFixed(1)} min)` : ''}`,
    fx(r.trainFps, 0),
    fx(r.scoreFps, 0),
    fx(r.trainSeconds, 0),
  ];
}

const mean = (v: Array<number | null>): number | null => {
  const x = v.filter((a): a is number => a !== null && !Number.isNaN(a));
  return x.length ? x.reduce((a, b) => a + b, 0) / x.length : null;
};

/** Rows in table order (Ped2, then each seed, then the mean over seeds per kind), model kinds before the references. */
export function tableRows(rows: DetectRow[], kinds: string[]): DetectRow[] {
  const order = (k: string) => (kinds.includes(k) ? kinds.indexOf(k) : kinds.length + ['ref-bgdiff', 'ref-pca16', 'ref-framediff'].indexOf(k));
  const datasets = [...new Set(rows.map((r) => r.dataset))].sort((a, b) => (a === 'ped2' ? -1 : b === 'ped2' ? 1 : a.localeCompare(b, 'en', { numeric: true })));
  const out: DetectRow[] = [];
  for (const d of datasets) out.push(...rows.filter((r) => r.dataset === d).sort((a, b) => order(a.kind) - order(b.kind)));
  const seeds = datasets.filter((d) => d.startsWith('seed '));
  if (seeds.length > 1) {
    const ks = [...new Set(rows.filter((r) => seeds.includes(r.dataset)).map((r) => r.kind))].sort((a, b) => order(a) - order(b));
    for (const k of ks) {
      const mine = rows.filter((r) => seeds.includes(r.dataset) && r.kind === k);
      const sum = (pick: (r: DetectRow) => string | null) => {
        const parts = mine.map(pick).filter((x): x is string => x !== null).map((x) => x.split('/').map(Number));
        return parts.length ? `${parts.reduce((s, p) => s + p[0]!, 0)}/${parts.reduce((s, p) => s + p[1]!, 0)}` : null;
      };
      const eventsFound = sum((r) => r.eventsFound);
      const [found, total] = eventsFound ? eventsFound.split('/').map(Number) : [NaN, NaN];
      const fa = mine.every((r) => r.falseAlarmsPerHour !== null && r.normalMinutes !== null)
        ? mine.reduce((s, r) => s + r.falseAlarmsPerHour! * r.normalMinutes!, 0) / mine.reduce((s, r) => s + r.normalMinutes!, 0)
        : null;
      out.push({
        dataset: `seeds mean (${mine.length})`,
        kind: k,
        settings: mine[0]!.settings,
        pooled: mean(mine.map((r) => r.pooled)) ?? NaN,
        perClip: mean(mine.map((r) => r.perClip)) ?? NaN,
        fpr: mean(mine.map((r) => r.fpr)),
        eventRecall: eventsFound ? found! / total! : null,
        eventsFound,
        clipsFound: sum((r) => r.clipsFound),
        falseAlarmsPerHour: fa,
        falseAlarms: mine.every((r) => typeof r.falseAlarms === 'number') ? mine.reduce((a, r) => a + r.falseAlarms!, 0) : null,
        normalMinutes: mine.every((r) => r.normalMinutes !== null) ? mine.reduce((a, r) => a + r.normalMinutes!, 0) : null,
        trainFps: mean(mine.map((r) => r.trainFps)),
        scoreFps: mean(mine.map((r) => r.scoreFps)),
        trainSeconds: mean(mine.map((r) => r.trainSeconds)),
        seconds: null,
      });
    }
  }
  return out;
}

export function markdown(rows: DetectRow[], kinds: string[], header: string): string {
  const lines = [header, '', `| ${COLUMNS.join(' | ')} |`, `| ${COLUMNS.map(() => '---').join(' | ')} |`];
  for (const r of tableRows(rows, kinds)) lines.push(`| ${cells(r).join(' | ')} |`);
  lines.push('', 'Published frame-level AUC on all 12 Ped2 test clips (paper protocol, i.e. comparable to the per-clip column only; our rows use the dev clips Test001-Test006):', '');
  lines.push('| method | AUC |', '| --- | --- |');
  for (const [m, a] of PUBLISHED_PED2) lines.push(`| ${m} | ${a.toFixed(3)} |`);
  return lines.join('\n') + '\n';
}

function printText(rows: DetectRow[], kinds: string[]): void {
  const all = tableRows(rows, kinds).map(cells);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(COLUMNS));
  for (const r of all) console.log(line(r));
  console.log('\nPublished Ped2 frame AUC, all 12 test clips, paper protocol (compare with the per-clip column):');
  for (const [m, a] of PUBLISHED_PED2) console.log(`  ${m.padEnd(30)} ${a.toFixed(3)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kinds: { type: 'string' }, epochs: { type: 'string' }, 'max-frames': { type: 'string' }, seeds: { type: 'string' }, 'no-ped2': { type: 'boolean' },
      ped2: { type: 'string' }, scenes: { type: 'string' }, out: { type: 'string' }, state: { type: 'string' }, fresh: { type: 'boolean' },
    },
  });
  const kinds = (values.kinds ? values.kinds.split(',') : [...MODEL_KINDS]).map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) if (!(MODEL_KINDS as readonly string[]).includes(k)) throw new Error(`--kinds: unknown kind ${k} (choose from ${MODEL_KINDS.join(', ')})`);
  const seeds = !values.seeds || values.seeds === '' ? [1, 2, 3] : values.seeds === 'none' ? [] : values.seeds.split(',').map(Number);
  for (const s of seeds) if (!Number.isInteger(s) || s < 0) throw new Error(`--seeds: ${values.seeds} (give seeds like 1,2,3 or none)`);
  const positive = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${v}: a positive integer`);
    return n;
  };
  const epochs = positive('epochs', values.epochs);
  const maxFrames = positive('max-frames', values['max-frames']);
  const settings = `epochs=${epochs ?? 'default'},max-frames=${maxFrames ?? 'all'}`;
  const out = resolve(values.out ?? join(tmpdir(), 'latentwatch-bench-detect.md'));
  const state = resolve(values.state ?? out.replace(/\.md$/, '') + '.jsonl');
  mkdirSync(dirname(out), { recursive: true });
  mkdirSync(dirname(state), { recursive: true });
  if (values.fresh) rmSync(state, { force: true });

  const ped2Dir = resolve(values.ped2 ?? resolve(root, '..', 'shared', 'data', 'ucsd-ped2'));
  const datasets: Dataset[] = [];
  if (!values['no-ped2']) {
    if (!existsSync(join(ped2Dir, 'test.mp4'))) throw new Error(`no Ped2 footage in ${ped2Dir} (--ped2 DIR, or --no-ped2)`);
    const read = (f: string) => readFileSync(join(ped2Dir, f), 'utf8');
    datasets.push({
      name: 'ped2',
      options: () => ({
        trainPath: join(ped2Dir, 'train.mp4'),
        ...(existsSync(join(ped2Dir, 'train-clips.csv')) ? { trainClipsCsv: read('train-clips.csv') } : {}),
        tests: [{ path: join(ped2Dir, 'test.mp4'), truthCsv: read('truth.csv'), clipsCsv: read('clips.csv') }],
      }),
    });
  }
  const scenes = resolve(values.scenes ?? tmpdir());
  for (const seed of seeds)
    datasets.push({
      name: `seed ${seed}`,
      options: () => {
        const dir = sceneDir(scenes, seed);
        return { trainPath: join(dir, 'train.mp4'), tests: [{ path: join(dir, 'test.mp4'), truthCsv: readFileSync(join(dir, 'truth.csv'), 'utf8') }] };
      },
    });

  // Rows already measured with these settings.
  const rows: DetectRow[] = existsSync(state)
    ? readFileSync(state, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as DetectRow)
        .filter((r) => r.settings === settings)
    : [];
  const header = `Detection (\`npm run bench:detect\`), ${settings}; Ped2: trained on train.mp4 (16 clips), scored on test.mp4 = Test001-Test006 (clips.csv); seeds: shared/bench scenes.`;
  const write = () => writeFileSync(out, markdown(rows, kinds, header));
  if (rows.length) console.error(`resuming: ${rows.length} rows from ${state}`);
  for (const ds of datasets) {
    for (const kind of kinds as ModelKind[]) {
      if (rows.some((r) => r.dataset === ds.name && r.kind === kind)) continue;
      console.error(`${ds.name}: training ${kind} (${settings}) ...`);
      const tmp = mkdtempSync(join(tmpdir(), 'latentwatch-bench-detect-'));
      const store = new Store(join(tmp, 'bench.db'));
      const t0 = performance.now();
      try {
        const report = await evaluate(store, { ...ds.options(), train: { kind, checkpointDir: join(tmp, 'checkpoints'), ...(epochs ? { epochs } : {}), ...(maxFrames ? { maxFrames } : {}) } });
        const fresh = rowsFromReport(ds.name, settings, report, (performance.now() - t0) / 1000).filter((r) => !rows.some((o) => o.dataset === r.dataset && o.kind === r.kind));
        for (const r of fresh) {
          rows.push(r);
          appendFileSync(state, JSON.stringify(r) + '\n');
          console.log(cells(r).map((c, i) => (i < 2 ? c : `${COLUMNS[i]} ${c}`)).join(', '));
        }
        write();
      } finally {
        store.close();
        rmSync(tmp, { recursive: true, force: true });
      }
    }
  }
  write();
  console.log(`\n${header}\n`);
  printText(rows, kinds);
  console.log(`\nmarkdown: ${out}\nrows: ${state}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  });
