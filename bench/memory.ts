/**
 * bench:memory — peak resident memory of `latentwatch ingest` and `latentwatch score` on 10 and on 60
 * minutes of generated footage (320x240, 10 fps), each in its own process. Streaming means the peak
 * should not grow with the footage: the bench prints both and their ratio.
 *   npx tsx bench/memory.ts [--short MIN] [--long MIN]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Store } from '../src/core/store/store.js';
import { makeTestsrcClip, tempDir } from '../test/helpers.js';
import { storeRandomModel } from './random-model.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const cli = join(import.meta.dirname, '..', 'bin', 'latentwatch.mjs');
const tmp = tempDir('lw-bench-mem-');

function run(args: string[]): { maxRssMb: number; framesPerSec: number; frameCount?: number; frames?: number } {
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`latentwatch ${args[0]} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ReturnType<typeof run>;
}

const rows: Array<{ minutes: number; frames: number; ingestMb: number; scoreMb: number; ingestFps: number; scoreFps: number }> = [];
for (const minutes of [arg('short', 10), arg('long', 60)]) {
  const clip = join(tmp.dir, `footage-${minutes}min.mp4`);
  const db = join(tmp.dir, `lib-${minutes}.db`);
  process.stdout.write(`${minutes} min: generating... `);
  await makeTestsrcClip(clip, { seconds: minutes * 60, fps: 10, width: 320, height: 240 });
  process.stdout.write('ingesting... ');
  const ing = run(['ingest', clip, '--db', db]);
  const store = new Store(db);
  const videoId = store.listVideos()[0]!.id;
  const { modelId } = await storeRandomModel(store, videoId);
  store.close();
  process.stdout.write('scoring...\n');
  const sc = run(['score', '--model', String(modelId), '--video', String(videoId), '--db', db]);
  rows.push({ minutes, frames: ing.frameCount!, ingestMb: ing.maxRssMb, scoreMb: sc.maxRssMb, ingestFps: ing.framesPerSec, scoreFps: sc.framesPerSec });
}
tmp.cleanup();
console.log('\nfootage   frames   ingest peak RSS   scoring peak RSS   ingest frames/s   scoring frames/s');
for (const r of rows)
  console.log(`${`${r.minutes} min`.padEnd(9)} ${String(r.frames).padStart(6)}   ${r.ingestMb.toFixed(0).padStart(11)} MiB   ${r.scoreMb.toFixed(0).padStart(12)} MiB   ${r.ingestFps.toFixed(0).padStart(15)}   ${r.scoreFps.toFixed(0).padStart(16)}`);
const [a, b] = rows;
console.log(`\npeak RSS ratio ${b!.minutes} min / ${a!.minutes} min: ingest ${(b!.ingestMb / a!.ingestMb).toFixed(2)}, scoring ${(b!.scoreMb / a!.scoreMb).toFixed(2)}  (flat = about 1)`);
