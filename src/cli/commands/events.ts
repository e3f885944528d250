/** `latentwatch events --model ID --video ID`: list detected events. */
import { parseArgs } from 'node:util';
import { num, posInt, UsageError } from '../args.js';
import { openStore } from '../library.js';
import { fmtClock } from '../output.js';

export async function cmdEvents(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, model: { type: 'string' }, video: { type: 'string' }, json: { type: 'boolean' } } });
  const modelId = num('model', values.model, posInt);
  const videoId = num('video', values.video, posInt);
  if (!modelId || !videoId) throw new UsageError('events needs --model ID and --video ID');
  const { store } = openStore(values.db);
  try {
    const { changeEvents } = await import('../../core/app/queries.js');
    const events = changeEvents(store, modelId, videoId);
    if (values.json) console.log(JSON.stringify(events));
    else if (events.length === 0) console.log('No events.');
    else for (const e of events) console.log(`${fmtClock(e.startSec)}-${fmtClock(e.endSec)}  frames ${e.startIdx}-${e.endIdx}  peak ${e.peakScore.toFixed(2)} at frame ${e.peakIdx}`);
    return 0;
  } finally {
    store.close();
  }
}
