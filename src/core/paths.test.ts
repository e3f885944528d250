import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDemoPath, isBundle } from './paths.js';

describe('defaultDemoPath', () => {
  const dirs: string[] = [];
  const pkgDir = (pkg: object): string => {
    const d = mkdtempSync(join(tmpdir(), 'lw-paths-'));
    dirs.push(d);
    writeFileSync(join(d, 'package.json'), JSON.stringify(pkg));
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is resources/demo of a source checkout', () => {
    const root = pkgDir({ name: 'latentwatch' });
    expect(isBundle(root)).toBe(false);
    expect(defaultDemoPath(root, { LATENTWATCH_HOME: '/data/lw' })).toBe(join(root, 'resources', 'demo', 'demo.mp4'));
  });

  it('is the data folder in a bundle, whose install folder is only read', () => {
    const root = pkgDir({ name: 'latentwatch', latentwatch: { bundle: 'linux-x64' } });
    expect(isBundle(root)).toBe(true);
    expect(defaultDemoPath(root, { LATENTWATCH_HOME: '/data/lw' })).toBe(join('/data/lw', 'demo', 'demo.mp4'));
  });
});
