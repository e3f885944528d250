/** `latentwatch export --model ID --format onnx|csv|json`: the scoring graph, or a video's scores and events. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { modelBlobs } from '../../core/store/models.js';
import type { ScoreSeries } from '../../shared/domain.js';
import { num, posInt, UsageError } from '../args.js';
import { openStore } from '../library.js';

export async function cmdExport(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, model: { type: 'string' }, format: { type: 'string' }, video: { type: 'string' }, out: { type: 'string' } } });
  const modelId = num('model', values.model, posInt);
  if (!modelId) throw new UsageError('export needs --model ID');
  const format = values.format ?? 'onnx';
  if (!['onnx', 'csv', 'json'].includes(format)) throw new UsageError(`--format ${format}: choose onnx, csv or json`);
  const { store } = openStore(values.db);
  try {
    let body: Uint8Array | string;
    if (format === 'onnx') body = modelBlobs(store, modelId).onnx;
    else {
      const videoId = num('video', values.video, posInt);
      if (!videoId) throw new UsageError(`--format ${format} needs --video ID (the video whose scores to export)`);
      const { changeEvents, scoreSeries } = await import('../../core/app/queries.js');
      const scores = scoreSeries(store, modelId, videoId);
      const events = changeEvents(store, modelId, videoId);
      body = format === 'json' ? JSON.stringify({ scores, events }) : scoresCsv(scores);
    }
    if (values.out) {
      const { writeFileAtomic } = await import('../../core/ml/vae/checkpoint.js');
      await writeFileAtomic(resolve(values.out), typeof body === 'string' ? Buffer.from(body) : body);
      console.error(`Wrote ${resolve(values.out)}`);
    } else if (typeof body === 'string') process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
    else throw new UsageError('an ONNX model is binary: give --out FILE');
    return 0;
  } finally {
    store.close();
  }
}

function scoresCsv(s: ScoreSeries): string {
  const cols = ['combined', 'recon', 'patch', 'kl', 'elbo', 'temporal', 'stillness', 'sharpness'] as const;
  // vq-pixelcnn's −log p(codes), for the kind that has it.
  const codeNll = s.codeNll;
  const lines = [`frame,pts_sec,${cols.join(',')}${codeNll ? ',code_nll' : ''}`];
  for (let i = 0; i < s.index.length; i++) lines.push([s.index[i], s.ptsSec[i]!.toFixed(6), ...cols.map((c) => s[c][i]!.toPrecision(7)), ...(codeNll ? [codeNll[i]!.toPrecision(7)] : [])].join(','));
  return lines.join('\n') + '\n';
}
