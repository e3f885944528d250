/**
 * `latentwatch`: the engine from a terminal. This file parses the command name and dispatches to
 * src/cli/commands/<command>.ts (one file per command); `latentwatch help` prints usage.ts.
 */
import { APP_VERSION } from '../core/version.js';
import { UsageError } from './args.js';
import { cmdDemo } from './commands/demo.js';
import { cmdEval } from './commands/eval.js';
import { cmdEvents } from './commands/events.js';
import { cmdExport } from './commands/export.js';
import { cmdInfo } from './commands/info.js';
import { cmdIngest } from './commands/ingest.js';
import { cmdMask } from './commands/mask.js';
import { cmdScore } from './commands/score.js';
import { cmdServe } from './commands/serve.js';
import { cmdTrain } from './commands/train.js';
import { USAGE } from './usage.js';

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'ingest':
        return await cmdIngest(rest);
      case 'serve':
        return await cmdServe(rest);
      case 'demo':
        return await cmdDemo(rest);
      case 'info':
        return await cmdInfo(rest);
      case 'train':
        return await cmdTrain(rest);
      case 'score':
        return await cmdScore(rest);
      case 'mask':
        return await cmdMask(rest);
      case 'events':
        return await cmdEvents(rest);
      case 'export':
        return await cmdExport(rest);
      case 'eval':
        return await cmdEval(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return cmd === undefined ? 2 : 0;
      case '--version':
        console.log(APP_VERSION);
        return 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    const err = e as Error;
    if (err.name === 'AbortError') {
      console.error('\nCanceled: nothing was kept.');
      return 130;
    }
    if (err.name === 'UsageError' || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`latentwatch: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`\nlatentwatch: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
    return 1;
  }
}
