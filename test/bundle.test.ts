/**
 * The self-contained bundle, run offline (scripts/test-bundle.mjs: unpack, then info, demo, ingest,
 * train --epochs 1 and serve in a network namespace with a clean environment). About 15-30 s on top of
 * `npm run bundle` (~40 s), so it runs only where a bundle was built or LW_TEST_BUNDLE=1 asks for one
 * (it is then built first); `npm run test:bundle` is the full check, the npm cache pack included.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const tarball = join(root, 'dist', `latentwatch-${version}-${process.platform}-${process.arch}.tar.gz`);
const asked = process.env.LW_TEST_BUNDLE === '1';
const built = join(root, 'out', 'main', 'cli.js');
// A bundle older than the built app is made again rather than tested stale.
const stale = existsSync(tarball) && existsSync(built) && statSync(tarball).mtimeMs < statSync(built).mtimeMs;
const run = asked || existsSync(tarball);
const title = run
  ? 'the bundle installs by unpacking and runs every command with no network'
  : `skipped: no dist/latentwatch-${version}-${process.platform}-${process.arch}.tar.gz (npm run bundle, or LW_TEST_BUNDLE=1)`;

describe('offline bundle', () => {
  it.skipIf(!run)(title, () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'test-bundle.mjs'), ...((asked && !existsSync(tarball)) || stale ? ['--build'] : [])], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    if (/^skip:/m.test(r.stdout)) {
      console.log(r.stdout.trim());
      return;
    }
    expect(r.status, out).toBe(0);
    expect(r.stdout).toMatch(/test:bundle: ok: bundle ran offline/);
  }, 900_000);
});
