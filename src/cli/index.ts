/** Entry of the `latentwatch` command (bin/latentwatch.mjs loads the built copy of this file). */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
