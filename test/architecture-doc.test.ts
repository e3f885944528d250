/**
 * docs/architecture.md is kept true by the code it describes: every repository path it names in
 * backticks (`src/...`, `test/...`, `scripts/...`, `docs/...`) must exist. A path the doc names before
 * it exists is written without backticks, and gets them once the code is there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');

/** Every inline code span of the doc that is a repository path (fenced blocks left out: they hold diagrams). */
function namedPaths(markdown: string): string[] {
  const inline = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const paths = new Set<string>();
  for (const m of inline.matchAll(/`([^`\n]+)`/g)) {
    const p = m[1]!.trim();
    if (/^(src|test|scripts|docs)\/[\w./@-]*$/.test(p)) paths.add(p);
  }
  return [...paths];
}

describe('docs/architecture.md', () => {
  const paths = namedPaths(doc);

  it('names the code it describes', () => {
    // Guards the extraction itself: a doc (or a pattern) that names nothing would pass the check below vacuously.
    expect(paths.length).toBeGreaterThan(40);
    expect(paths).toContain('src/core/models/driver.ts');
    expect(paths).toContain('src/core/scoring/pass.ts');
  });

  it('names only paths that exist', () => {
    expect(paths.filter((p) => !existsSync(join(root, p)))).toEqual([]);
  });

  it('is linked from the README', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('docs/architecture.md');
  });
});
