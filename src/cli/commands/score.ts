/** `latentwatch score --model ID --video ID|FILE`: score every frame and detect events. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { num, posInt, UsageError } from '../args.js';
import { openStore, resolveVideo, withSignal } from '../library.js';
import { maxRssMb, progressPrinter } from '../output.js';

export async function cmdScore(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, model: { type: 'string' }, video: { type: 'string' }, adaptive: { type: 'string' }, window: { type: 'string' }, json: { type: 'boolean' } } });
  const modelId = num('model', values.model, posInt);
  if (!modelId || !values.video) throw new UsageError('score needs --model ID and --video ID|FILE');
  if (values.adaptive !== undefined && !['on', 'off'].includes(values.adaptive)) throw new UsageError('--adaptive takes on or off');
  const windowSec = num('window', values.window, z.number().min(10).max(86_400));
  const { store } = openStore(values.db);
  try {
    const videoId = await resolveVideo(store, values.video, !!values.json);
    const { scoreVideo } = await import('../../core/engine/score-video.js');
    if (values.adaptive !== undefined || windowSec !== undefined) {
      const { getAdaptiveBaseline, setAdaptiveBaseline } = await import('../../core/scoring/adaptive.js');
      const was = getAdaptiveBaseline(store, videoId);
      setAdaptiveBaseline(store, videoId, { on: values.adaptive ? values.adaptive === 'on' : was.on, windowSec: windowSec ?? was.windowSec });
    }
    const r = await withSignal((signal) => scoreVideo(store, modelId, videoId, { signal, onProgress: progressPrinter(!!values.json) }));
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    if (values.json) console.log(JSON.stringify({ ...r, maxRssMb: maxRssMb() }));
    else console.log(`Scored ${r.frames} frames of video ${videoId} with model ${modelId} in ${r.seconds.toFixed(1)} s (${r.framesPerSec.toFixed(0)} frames/s): ${r.events} event(s).`);
    return 0;
  } finally {
    store.close();
  }
}
