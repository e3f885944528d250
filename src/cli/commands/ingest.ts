/** `latentwatch ingest FILE`: decode a video into the library. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ingestVideo } from '../../core/media/ingest.js';
import { defaultDbPath } from '../../core/paths.js';
import { Store } from '../../core/store/store.js';
import { type CropRect, MAX_FRAME_SIZE, MAX_SAMPLE_FPS, MIN_FRAME_SIZE } from '../../shared/domain.js';
import { num, UsageError } from '../args.js';
import { maxRssMb, progressPrinter } from '../output.js';

export async function cmdIngest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, fps: { type: 'string' }, size: { type: 'string' }, crop: { type: 'string' }, json: { type: 'boolean' }, 'drop-short': { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('ingest takes exactly one FILE');
  let crop: CropRect | undefined;
  if (values.crop) {
    const m = /^(\d+),(\d+),(\d+),(\d+)$/.exec(values.crop);
    if (!m || Number(m[3]) < 2 || Number(m[4]) < 2) throw new UsageError(`--crop ${values.crop}: give X,Y,WIDTH,HEIGHT in source pixels, e.g. --crop 0,120,640,360`);
    crop = { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
  }
  const fps = num('fps', values.fps, z.number().positive().max(MAX_SAMPLE_FPS));
  const size = num('size', values.size, z.number().int().min(MIN_FRAME_SIZE).max(MAX_FRAME_SIZE));
  const dbPath = resolve(values.db ?? defaultDbPath());
  const store = new Store(dbPath);
  store.recoverInterrupted();
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  const t0 = performance.now();
  try {
    const r = await ingestVideo(store, positionals[0]!, { ...(fps ? { fps } : {}), ...(size ? { size } : {}), ...(crop ? { crop } : {}) }, { signal: ac.signal, onProgress: progressPrinter(!!values.json) });
    const secs = (performance.now() - t0) / 1000;
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    for (const note of r.notes ?? []) console.error(`Warning: ${note}`);
    if (r.endedEarly && values['drop-short']) {
      store.deleteVideo(r.videoId);
      console.error('Not kept (--drop-short): the file ended early.');
      return 3;
    }
    const v = store.getVideo(r.videoId);
    if (values.json) console.log(JSON.stringify({ ...v, seconds: secs, framesPerSec: r.frameCount / secs, db: dbPath, maxRssMb: maxRssMb() }));
    else
      console.log(
        `Imported ${v.name} as video ${v.id}: ${v.frameCount} frames at ${v.frameSize}x${v.frameSize}, ${v.sampledFps.toFixed(2)} fps ` +
          `(source ${v.width}x${v.height} ${v.codec}, ${v.durationSec.toFixed(1)} s) in ${secs.toFixed(1)} s (${(r.frameCount / secs).toFixed(0)} frames/s) -> ${dbPath}`,
      );
    return 0;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
    store.close();
  }
}
