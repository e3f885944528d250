// The production node_modules of the app, copied out of the installed tree: the packages the app's
// `dependencies` need (resolved the way Node resolves them), never devDependencies, and never the root
// optionalDependencies (tfjs-node(-gpu), ffmpeg-static: their binaries come from outside the registry and
// are not installed here). Then pruned: other platforms' binaries, build leftovers, source maps, typings.
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

/** Folder of `name` as Node would find it from the package folder `from` (relative to root), or null. */
function resolveFrom(root, from, name) {
  let dir = from;
  for (;;) {
    const cand = join(dir, 'node_modules', name);
    if (existsSync(join(root, cand, 'package.json'))) return cand;
    if (dir === '') return null;
    // Up one level: ".../node_modules/@scope/pkg" -> "...", ".../node_modules/pkg" -> "..."
    const i = dir.lastIndexOf(`node_modules${sep}`);
    if (i < 0) dir = '';
    else dir = dir.slice(0, Math.max(0, i - 1));
  }
}

/**
 * Relative folders (e.g. "node_modules/ws") of every package the root's `dependencies` need.
 * Optional dependencies of packages are taken when installed (this platform's ffmpeg binary package);
 * a required one that is missing is an error.
 */
export function productionPackages(root) {
  const pkg = readJson(join(root, 'package.json'));
  const found = new Set();
  const missing = [];
  const queue = Object.keys(pkg.dependencies ?? {}).map((name) => ({ from: '', name, optional: false, by: 'package.json' }));
  while (queue.length) {
    const { from, name, optional, by } = queue.shift();
    const dir = resolveFrom(root, from, name);
    if (!dir) {
      if (!optional) missing.push(`${name} (needed by ${by})`);
      continue;
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const p = readJson(join(root, dir, 'package.json'));
    for (const n of Object.keys(p.dependencies ?? {})) queue.push({ from: dir, name: n, optional: false, by: p.name });
    for (const n of Object.keys(p.optionalDependencies ?? {})) queue.push({ from: dir, name: n, optional: true, by: p.name });
    // Peers are taken where installed (npm installs the required ones beside the package).
    for (const n of Object.keys(p.peerDependencies ?? {})) queue.push({ from: dir, name: n, optional: true, by: p.name });
  }
  if (missing.length) throw new Error(`node_modules is incomplete; run \`npm ci\` first. Missing: ${missing.join(', ')}`);
  return [...found].sort();
}

/** Copy the packages (without their nested node_modules, which are copied as packages of their own). */
export function copyPackages(root, dirs, dest) {
  for (const dir of dirs) {
    cpSync(join(root, dir), join(dest, dir), {
      recursive: true,
      dereference: false,
      filter: (src) => {
        const rel = relative(join(root, dir), src);
        return !(rel === 'node_modules' || rel.startsWith(`node_modules${sep}`));
      },
    });
  }
}

function walk(dir, visit) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) {
      if (visit(p, true) !== false) walk(p, visit);
    } else visit(p, false);
  }
}

const rmAll = (paths) => {
  for (const p of paths) rmSync(p, { recursive: true, force: true });
};

/**
 * Remove what the app never loads on `platform`-`arch`. Returns the bytes removed.
 * - onnxruntime-node: only bin/napi-v*\/<platform>/<arch>
 * - better-sqlite3: only build/Release/better_sqlite3.node (+ lib), no sqlite sources or objects
 * - @tensorflow/*: the browser bundles (min/es2017/fesm/UMD) beside each package's Node entry
 * - everywhere: source maps, TypeScript declarations, .github folders
 */
export function prune(nm, { platform = process.platform, arch = process.arch } = {}) {
  const before = duBytes(nm);
  const ort = join(nm, 'onnxruntime-node', 'bin');
  if (existsSync(ort)) {
    for (const napi of readdirSync(ort)) {
      const napiDir = join(ort, napi);
      for (const plat of readdirSync(napiDir)) {
        if (plat !== platform) rmAll([join(napiDir, plat)]);
        else for (const a of readdirSync(join(napiDir, plat))) if (a !== arch) rmAll([join(napiDir, plat, a)]);
      }
    }
  }
  const bs = join(nm, 'better-sqlite3');
  if (existsSync(bs)) {
    rmAll([join(bs, 'deps'), join(bs, 'src')]);
    const build = join(bs, 'build');
    if (existsSync(build)) {
      for (const n of readdirSync(build)) if (n !== 'Release') rmAll([join(build, n)]);
      const rel = join(build, 'Release');
      for (const n of readdirSync(rel)) if (n !== 'better_sqlite3.node') rmAll([join(rel, n)]);
    }
  }
  const tfRoot = join(nm, '@tensorflow');
  if (existsSync(tfRoot)) {
    for (const p of readdirSync(tfRoot)) {
      const dist = join(tfRoot, p, 'dist');
      if (!existsSync(dist)) continue;
      const main = readJson(join(tfRoot, p, 'package.json')).main ?? '';
      const keep = join(tfRoot, p, main);
      for (const f of readdirSync(dist)) {
        const full = join(dist, f);
        if (full === keep || !statSync(full).isFile()) continue;
        if (/\.(min|es2017|fesm|esm)(\.min)?\.js$/.test(f) || /^tf(-[a-z-]+)?\.js$/.test(f)) rmAll([full]);
      }
    }
  }
  const doomed = [];
  walk(nm, (p, isDir) => {
    const base = p.slice(p.lastIndexOf(sep) + 1);
    if (isDir) {
      if (base === '.github') {
        doomed.push(p);
        return false;
      }
      return true;
    }
    if (/\.(js|mjs|cjs)\.map$/.test(base) || /\.d\.(ts|mts|cts)$/.test(base) || base.endsWith('.tsbuildinfo')) doomed.push(p);
    return true;
  });
  rmAll(doomed);
  return before - duBytes(nm);
}

export function duBytes(dir) {
  let n = 0;
  walk(dir, (p, isDir) => {
    if (!isDir) n += lstatSync(p).size;
  });
  return n;
}

export function listFiles(dir) {
  const out = [];
  walk(dir, (p, isDir) => {
    if (!isDir) out.push(relative(dir, p).split(sep).join('/'));
  });
  return out.sort();
}
