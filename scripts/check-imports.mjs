#!/usr/bin/env node
// Import checks that eslint does not make, over every .ts and .svelte file under src/ (run by `npm run lint`):
//  1. The layering rule of ARCHITECTURE.md (scripts/lib/layering.mjs, the table eslint.config.js applies
//     to .ts files) over the <script> blocks of .svelte files, which eslint does not parse here.
//  2. No import circles: a circle of modules means none of them can be read without the others, and
//     the order they initialize in decides what each sees. Only imports that load a module at run time
//     count: `import type`/`export type` are erased, and `import()` loads later, on demand.
// A circle whose files are all on one line of scripts/import-cycles-allowed.txt is reported but does
// not fail the check.
//   node scripts/check-imports.mjs [--with-types] [--root <folder>]
//     --with-types   count type-only imports in circles too
//     --root         check <folder>/src against <folder>/scripts/import-cycles-allowed.txt (default: this repository)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { LAYERS } from './lib/layering.mjs';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const root = resolve(arg('--root') ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const ALLOWED_FILE = 'scripts/import-cycles-allowed.txt';
const withTypes = process.argv.includes('--with-types');
const rel = (abs) => relative(root, abs).split(sep).join('/');

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if ((name.endsWith('.ts') && !name.endsWith('.d.ts')) || name.endsWith('.svelte')) out.push(p);
  }
  return out;
}

/** The TypeScript of a file: the whole of a .ts file, the <script> blocks of a .svelte file (blanked elsewhere, so lines keep their numbers). */
function scriptOf(file) {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.svelte')) return text;
  let code = text.replace(/[^\n]/g, ' ');
  for (const m of text.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script>/g)) {
    const at = m.index + m[1].length;
    code = code.slice(0, at) + m[2] + code.slice(at + m[2].length);
  }
  return code;
}

/** Every import of a file: its specifier, line, and whether it is type-only or dynamic. */
function importsOf(file) {
  const sf = ts.createSourceFile(file, scriptOf(file), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out = [];
  const add = (lit, typeOnly, dynamic) => out.push({ spec: lit.text, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1, typeOnly, dynamic });
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier, Boolean(node.importClause?.isTypeOnly), false);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier, node.isTypeOnly, false);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) add(node.arguments[0], false, true);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) add(node.argument.literal, true, false);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The file a relative specifier names ('./x.js' is ./x.ts in this source tree), or null for a package. */
function resolveLocal(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  return [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile()) ?? null;
}

/** An eslint no-restricted-imports pattern as a regular expression over the specifier. */
function patternRegex(p) {
  let r = '';
  for (let i = 0; i < p.length; ) {
    if (p.startsWith('**/', i)) (r += '(?:.*/)?'), (i += 3);
    else if (p.startsWith('/**', i) && i + 3 === p.length) (r += '(?:/.*)?'), (i += 3);
    else if (p[i] === '*') (r += '[^/]*'), i++;
    else (r += p[i].replace(/[.+?^${}()|[\]\\]/g, '\\$&')), i++;
  }
  return new RegExp(`^${r}$`);
}

const layers = LAYERS.map((l) => ({ ...l, regexes: l.banned.map((p) => [p, patternRegex(p)]) }));

/** Strongly connected components of the graph with more than one file (or a file importing itself). */
function circles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const out = [];
  let next = 0;
  const strong = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v).has(v)) out.push(scc.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strong(v);
  return out;
}

/** A shortest circle through the first file of a component, as file -> ... -> the same file. */
function shortestCircle(graph, scc) {
  const members = new Set(scc);
  const start = scc[0];
  const prev = new Map();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of [...graph.get(v)].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]));
        return [...path, start];
      }
      if (!prev.has(w)) prev.set(w, v), queue.push(w);
    }
  }
  return [start, start];
}

/** Allowed circles: one a line, its files separated by commas (as this script prints them); '#' starts a comment. */
function allowedCircles() {
  const path = join(root, ALLOWED_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => ({ line: l, files: new Set(l.split(/[\s,]+/).filter(Boolean)) }));
}

const files = sourceFiles(join(root, 'src'));
const graph = new Map(files.map((f) => [rel(f), new Set()]));
const edgeLines = new Map(); // 'from\0to' -> line of the import
const violations = [];
for (const file of files) {
  const imports = importsOf(file);
  const name = rel(file);
  if (file.endsWith('.svelte')) {
    for (const layer of layers.filter((l) => l.folders.some((f) => name.startsWith(`${f}/`)))) {
      for (const imp of imports) {
        const hit = layer.regexes.find(([, r]) => r.test(imp.spec));
        if (hit) violations.push(`${name}:${imp.line}: '${imp.spec}' is restricted from being used by a pattern ('${hit[0]}'). ${layer.message}`);
      }
    }
  }
  for (const imp of imports) {
    if (imp.dynamic || (imp.typeOnly && !withTypes)) continue;
    const target = resolveLocal(file, imp.spec);
    if (!target || !graph.has(rel(target))) continue;
    graph.get(name).add(rel(target));
    if (!edgeLines.has(`${name}\0${rel(target)}`)) edgeLines.set(`${name}\0${rel(target)}`, imp.line);
  }
}

const allowed = allowedCircles();
const used = new Set();
const failing = [];
const found = circles(graph).map((scc) => {
  const entry = allowed.find((a) => scc.every((f) => a.files.has(f)));
  if (entry) used.add(entry);
  else failing.push(scc);
  const edges = scc.flatMap((f) => [...graph.get(f)].filter((t) => scc.includes(t)).map((t) => `      ${f}:${edgeLines.get(`${f}\0${t}`)} imports ${t}`));
  return [`${entry ? 'allowed' : 'CIRCLE '} ${shortestCircle(graph, scc).join(' -> ')}`, `    files: ${scc.join(', ')}`, ...edges].join('\n');
});

const svelteCount = files.filter((f) => f.endsWith('.svelte')).length;
console.log(`check-imports: ${files.length} files under src (${svelteCount} .svelte); ${withTypes ? 'all imports' : 'run-time imports'} counted for circles`);
console.log(violations.length ? `layering in .svelte files: ${violations.length} violation(s)` : 'layering in .svelte files: ok');
for (const v of violations) console.log(`  ${v}`);
console.log(found.length ? `import circles: ${found.length} (${failing.length} not in ${ALLOWED_FILE})` : 'import circles: none');
for (const c of found) console.log(`  ${c}`);
for (const a of allowed.filter((a) => !used.has(a))) console.log(`  no longer needed in ${ALLOWED_FILE}: ${a.line}`);
if (violations.length || failing.length) {
  console.error('check-imports: FAILED');
  process.exit(1);
}
