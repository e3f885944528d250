/** `latentwatch mask --video ID`: show, replace or clear a video's ignore mask. */
import { parseArgs } from 'node:util';
import { num, parseRect, posInt, UsageError } from '../args.js';
import { openStore } from '../library.js';

export async function cmdMask(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, video: { type: 'string' }, rect: { type: 'string', multiple: true }, clear: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const videoId = num('video', values.video, posInt);
  if (!videoId) throw new UsageError('mask needs --video ID');
  if (values.clear && values.rect?.length) throw new UsageError('give either --rect or --clear, not both');
  const { store } = openStore(values.db);
  try {
    const masks = await import('../../core/store/ignore-masks.js');
    const { ignoredFraction } = await import('../../shared/ignore-mask.js');
    const m = values.clear ? masks.setIgnoreMask(store, videoId, { rects: [] }) : values.rect?.length ? masks.setIgnoreMask(store, videoId, { rects: values.rect.map(parseRect) }) : masks.getIgnoreMask(store, videoId);
    const size = store.getVideo(videoId).frameSize;
    if (values.json) console.log(JSON.stringify({ videoId, ...m, ignoredFraction: ignoredFraction(m, size) }));
    else if (m.rects.length === 0) console.log(`Video ${videoId}: no ignore mask.`);
    else {
      console.log(`Video ${videoId}: ${m.rects.length} ignored region(s), ${(100 * ignoredFraction(m, size)).toFixed(1)}% of its ${size}x${size} frames:`);
      for (const r of m.rects) console.log(`  x ${r.x} y ${r.y} width ${r.width} height ${r.height}`);
    }
    return 0;
  } finally {
    store.close();
  }
}
