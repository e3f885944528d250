/** `latentwatch demo`: write the built-in demo footage. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { writeDemoClip } from '../../core/demo/demo-scene.js';
import { defaultDemoPath, packageRoot } from '../../core/paths.js';
import { num } from '../args.js';

export async function cmdDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, seconds: { type: 'string' } } });
  const seconds = num('seconds', values.seconds, z.number().positive().max(3600)) ?? 60;
  const out = resolve(values.out ?? defaultDemoPath(packageRoot(import.meta.url)));
  const r = await writeDemoClip(out, { seconds });
  console.log(`Wrote ${out} (${r.frames} frames)`);
  return 0;
}
