/** `latentwatch eval --train TRAIN --test TEST --truth CSV`: frame AUC and detection numbers against ground truth. */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { EvalReport } from '../../core/engine/evaluate.js';
import { Store } from '../../core/store/store.js';
import { AppError } from '../../shared/envelope.js';
import { TRAINING_BACKENDS, type TrainingBackend } from '../../shared/domain.js';
import { num, parseKind, posInt, UsageError } from '../args.js';
import { withSignal } from '../library.js';
import { progressPrinter } from '../output.js';

const readText = (path: string, what: string): Promise<string> =>
  readFile(resolve(path), 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new AppError('NotFoundError', `Cannot read the ${what} ${path}: ${e.code ?? e.message}`);
  });

export async function cmdEval(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      train: { type: 'string' }, test: { type: 'string', multiple: true }, truth: { type: 'string', multiple: true }, clips: { type: 'string', multiple: true },
      'train-clips': { type: 'string' }, kind: { type: 'string' }, epochs: { type: 'string' }, 'max-frames': { type: 'string' }, iw: { type: 'string' },
      backend: { type: 'string' }, seed: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const testPaths = values.test ?? [];
  const truthPaths = values.truth ?? [];
  const clipPaths = values.clips ?? [];
  if (!values.train || !testPaths.length || !truthPaths.length) throw new UsageError('eval needs --train TRAIN.mp4 --test TEST.mp4 --truth truth.csv');
  if (truthPaths.length !== testPaths.length) throw new UsageError(`eval: ${testPaths.length} --test but ${truthPaths.length} --truth: give one truth file per test video, in the same order`);
  if (clipPaths.length && clipPaths.length !== testPaths.length)
    throw new UsageError(`eval: ${testPaths.length} --test but ${clipPaths.length} --clips: give one clips.csv per test video, in the same order, or none`);
  const kind = parseKind(values.kind);
  const backend = values.backend;
  if (backend && !(TRAINING_BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend ${backend}: choose one of ${TRAINING_BACKENDS.join(', ')}`);
  const tmp = values.db ? null : mkdtempSync(join(tmpdir(), 'latentwatch-eval-'));
  const dbPath = resolve(values.db ?? join(tmp!, 'eval.db'));
  const store = new Store(dbPath);
  try {
    const tests = await Promise.all(
      testPaths.map(async (path, i) => ({
        path,
        truthCsv: await readText(truthPaths[i]!, 'truth file'),
        ...(clipPaths[i] ? { clipsCsv: await readText(clipPaths[i], 'clips file') } : {}),
      })),
    );
    const trainClipsCsv = values['train-clips'] ? await readText(values['train-clips'], 'training clips file') : undefined;
    const { evaluate } = await import('../../core/engine/evaluate.js');
    const report = await withSignal((signal) =>
      evaluate(
        store,
        {
          trainPath: values.train!,
          ...(trainClipsCsv !== undefined ? { trainClipsCsv } : {}),
          tests,
          ...(values.iw ? { iwSamples: num('iw', values.iw, posInt) } : {}),
          train: {
            ...(kind ? { kind } : {}),
            checkpointDir: join(dirname(dbPath), 'checkpoints'),
            epochs: num('epochs', values.epochs, posInt),
            maxFrames: num('max-frames', values['max-frames'], posInt),
            seed: num('seed', values.seed, z.number().int().min(0)),
            ...(backend ? { backend: backend as TrainingBackend } : {}),
          },
        },
        { signal, onProgress: progressPrinter(!!values.json) },
      ),
    );
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    if (values.json) {
      const { auc, baselines, threshold, eventRecall, falsePositiveRate, backend: b, trainSeconds, ...rest } = report;
      console.log(JSON.stringify({ auc, baselines, threshold, eventRecall, falsePositiveRate, backend: b, trainSeconds, ...rest }));
    } else printEval(report);
    return 0;
  } finally {
    store.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

const f3 = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3));

function printEval(r: EvalReport): void {
  const kinds = Object.keys(r.auc);
  const row = (name: string, a: Record<string, number>) => `${name.padEnd(12)}${kinds.map((k) => f3(a[k]).padStart(13)).join('')}`;
  const table = (title: string, auc: Record<string, number>, baselines: EvalReport['baselines'], components: Record<string, Record<string, number>>) => {
    console.log(title);
    console.log(`${'AUC'.padEnd(12)}${kinds.map((k) => k.padStart(13)).join('')}`);
    console.log(row(r.kind, auc));
    for (const [b, a] of Object.entries(baselines)) console.log(row(`ref-${b}`, a));
    for (const [c, a] of Object.entries(components)) console.log(row(`  ${c}`, a));
  };
  table('Deployable: scores as stored, all test frames pooled', r.auc, r.baselines, r.components);
  console.log('');
  if (r.clips.length > 1) {
    table(`Per-clip protocol (scores min-max scaled within each of the ${r.clips.length} clips, then pooled): comparison with published numbers only`, r.perClip.auc, r.perClip.baselines, r.perClip.components);
    console.log('');
  }
  const d = r.detection;
  console.log(
    `threshold ${r.threshold.toFixed(3)} (from TRAIN): false-positive rate ${d.falsePositiveRate.toFixed(4)}, frame recall ${r.frameRecall.toFixed(3)}, frames over it in an event ${r.eventRecall.toFixed(3)}`,
  );
  console.log(
    `stored events: ${d.detectedEvents} detected; event recall ${f3(d.eventRecall)} (${d.eventsFound}/${d.truthEvents}), anomalous clips found ${d.clipsFound}/${d.anomalousClips}; ` +
      `${d.falseAlarms} false alarms in ${(d.normalHours * 60).toFixed(1)} min of normal footage = ${d.falseAlarmsPerHour.toFixed(1)} per hour`,
  );
  if (r.clips.length > 1) {
    console.log(`${'clip'.padEnd(14)}${['frames', 'anomalous', 'AUC in clip', 'FPR', 'events found', 'clip found', 'detected', 'false alarms', 'FA/hour'].map((h) => h.padStart(13)).join('')}`);
    for (const c of d.clips)
      console.log(
        `${c.clip.padEnd(14)}${[
          String(c.frames), String(c.anomalousFrames), f3(c.auc), c.falsePositiveRate.toFixed(4), `${c.eventsFound}/${c.truthEvents}`,
          c.found === null ? '-' : c.found ? 'yes' : 'NO', String(c.detectedEvents), String(c.falseAlarms), c.falseAlarmsPerHour.toFixed(1),
        ].map((v) => v.padStart(13)).join('')}`,
      );
  }
  if (r.iw)
    console.log(
      `importance-weighted log p(x), K = ${r.iw.samples}, mean over normal test frames: ELBO ${r.iw.meanElbo.toFixed(1)} ≤ L_K ${r.iw.meanBound.toFixed(1)} nats (ESS ${r.iw.meanEss.toFixed(1)}, ${r.iw.framesPerSec.toFixed(0)} frames/s)`,
    );
  console.log(`trained on ${r.backend}: ${r.trainSeconds.toFixed(1)} s (${r.trainFramesPerSec.toFixed(1)} frames/s); scored at ${r.scoreFramesPerSec.toFixed(0)} frames/s`);
}
