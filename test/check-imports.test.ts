import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'check-imports.mjs');
const tmp = tempDir();
afterAll(() => tmp.cleanup());

let n = 0;
/** A source tree of the given files (path -> text) checked by scripts/check-imports.mjs. */
function check(files: Record<string, string>, ...args: string[]): { status: number | null; out: string } {
  const root = join(tmp.dir, `tree-${n++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const r = spawnSync(process.execPath, [script, '--root', root, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('check-imports', () => {
  it('applies the renderer layering to the <script> blocks of .svelte files', () => {
    const bad = check({
      'src/core/engine.ts': 'export const x = 1;\n',
      'src/renderer/Panel.svelte': "<script lang=\"ts\">\n  import { x } from '../core/engine.js';\n  import { readFile } from 'node:fs';\n</script>\n<p>{x}</p>\n",
    });
    expect(bad.status).toBe(1);
    expect(bad.out).toContain("src/renderer/Panel.svelte:2: '../core/engine.js'");
    expect(bad.out).toContain("src/renderer/Panel.svelte:3: 'node:fs'");
    const good = check({
      'src/shared/api.ts': 'export interface Api { ping(): Promise<void> }\n',
      'src/renderer/Panel.svelte': "<script lang=\"ts\">\n  import type { Api } from '../shared/api.js';\n  import { onMount } from 'svelte';\n</script>\n",
    });
    expect(good).toMatchObject({ status: 0 });
    expect(good.out).toContain('layering in .svelte files: ok');
  });

  it('fails on a circle of run-time imports, naming each import in it, and passes one that is allowed', () => {
    const files = {
      'src/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/b.ts': "import { c } from './c.js';\nexport const b = 1 + c;\n",
      'src/c.ts': "import { a } from './a.js';\nexport const c = a.length;\n",
    };
    const r = check(files);
    expect(r.status).toBe(1);
    expect(r.out).toContain('CIRCLE  src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts');
    expect(r.out).toContain('src/c.ts:1 imports src/a.ts');
    const allowed = check({ ...files, 'scripts/import-cycles-allowed.txt': '# known\nsrc/a.ts, src/b.ts, src/c.ts, src/d.ts\n' });
    expect(allowed.status).toBe(0);
    expect(allowed.out).toContain('allowed src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts');
    const stale = check({ 'src/a.ts': 'export const a = 1;\n', 'scripts/import-cycles-allowed.txt': 'src/a.ts, src/b.ts\n' });
    expect(stale.status).toBe(0);
    expect(stale.out).toContain('no longer needed in scripts/import-cycles-allowed.txt: src/a.ts, src/b.ts');
  });

  it('does not count type-only imports or import() unless asked to', () => {
    const files = {
      'src/a.ts': "import type { B } from './b.js';\nexport interface A { b: B }\nexport const load = () => import('./b.js');\n",
      'src/b.ts': "import { type A } from './a.js';\nexport interface B { a?: A }\n",
    };
    expect(check(files)).toMatchObject({ status: 0, out: expect.stringContaining('import circles: none') });
    expect(check(files, '--with-types')).toMatchObject({ status: 1, out: expect.stringContaining('CIRCLE  src/a.ts -> src/b.ts -> src/a.ts') });
  });
});
