#!/usr/bin/env node
// `npm run test:bundle`: the offline installs, tested with the network gone.
//   1. The self-contained bundle: unpack dist/latentwatch-<v>-<platform>-<arch>.tar.gz into an empty folder,
//      then inside a network namespace (unshare -rn: loopback only) with a clean environment (env -i, PATH =
//      the bundle's bin only, so no system ffmpeg or node) run info, demo, ingest, train --epochs 1 and
//      serve (one page load) through bin/latentwatch (scripts/bundle-check.mjs). Afterwards: the install
//      folder still matches SHA256SUMS with no new files, TMPDIR is empty, and HOME holds only the data folder.
//   2. With --cache: the npm cache pack (dist/latentwatch-<v>-npm-cache.tar.gz): a copy of the sources, then
//      `npm ci --offline --cache <dir>` in the namespace (install scripts and the build included), then the
//      built CLI's `info`.
// Options: --build (make the bundle, and with --cache the cache pack, first), --cache, --keep (leave the
// temp folder). Where namespaces are not allowed it prints one "skip:" line and exits 0.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles } from './lib/prod-modules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const args = new Set(process.argv.slice(2));
const name = `latentwatch-${pkg.version}-${process.platform}-${process.arch}`;
const tarball = join(root, 'dist', `${name}.tar.gz`);
const cacheName = `latentwatch-${pkg.version}-npm-cache`;
const cacheTarball = join(root, 'dist', `${cacheName}.tar.gz`);

function fail(msg) {
  console.error(`test:bundle: FAILED: ${msg}`);
  process.exit(1);
}
const sh = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { encoding: 'utf8', ...opts });

// Namespaces first: nothing else is worth doing without them.
const ns = sh('unshare', ['-rn', 'true']);
if (ns.status !== 0) {
  const why = (ns.error?.message ?? ns.stderr ?? '').trim().split('\n')[0] || `exit ${ns.status}`;
  console.log(`skip: test:bundle needs an unprivileged user + network namespace (unshare -rn), not allowed here: ${why}`);
  process.exit(0);
}
// A fresh namespace's loopback is down; a workstation's is up. `ip` brings it up inside (serve needs it).
const ip = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p));
if (!ip) fail('`ip` (iproute2) is needed to bring up loopback inside the namespace; install iproute2.');

function build(script) {
  const r = spawnSync('npm', ['run', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm run ${script} failed`);
}
if (args.has('--build')) build('bundle');
if (!existsSync(tarball)) fail(`${relative(root, tarball)} is missing: run \`npm run bundle\` (or pass --build).`);

const tmp = mkdtempSync(join(tmpdir(), 'lw-bundle-test-'));
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;
try {
  // ---- 1. the self-contained bundle ----
  const installRoot = join(tmp, 'install');
  const home = join(tmp, 'home');
  const tmpd = join(tmp, 'tmp');
  for (const d of [installRoot, home, tmpd]) mkdirSync(d);
  if (sh('tar', ['-xzf', tarball, '-C', installRoot]).status !== 0) fail(`cannot unpack ${tarball}`);
  const install = join(installRoot, name);
  console.log(`test:bundle: unpacked ${relative(root, tarball)} into ${install}`);
  const check = join(tmp, 'bundle-check.mjs');
  cpSync(join(root, 'scripts', 'bundle-check.mjs'), check);
  const env = [`HOME=${home}`, `TMPDIR=${tmpd}`, `PATH=${join(install, 'bin')}`, 'LANG=C.UTF-8'];
  const r = spawnSync('unshare', ['-rn', '/bin/sh', '-c', '"$1" link set lo up && shift && exec "$@"', 'sh', ip, 'env', '-i', ...env, join(install, 'runtime', 'node'), check, install], {
    stdio: 'inherit',
    timeout: 600_000,
  });
  if (r.status !== 0) fail(`the bundle's commands failed offline (exit ${r.status ?? r.signal})`);

  // Nothing written outside the data folder: the install is unchanged, TMPDIR empty, HOME only the data folder.
  const sums = new Map(
    readFileSync(join(install, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(66), l.slice(0, 64)]),
  );
  const now = listFiles(install).filter((f) => f !== 'SHA256SUMS');
  const added = now.filter((f) => !sums.has(f));
  if (added.length) fail(`the run wrote into the install folder: ${added.slice(0, 5).join(', ')}`);
  const changed = now.filter((f) => createHash('sha256').update(readFileSync(join(install, f))).digest('hex') !== sums.get(f));
  if (changed.length || now.length !== sums.size) fail(`install folder changed: ${changed.slice(0, 5).join(', ') || `${sums.size - now.length} files gone`}`);
  const tmpLeft = readdirSync(tmpd);
  if (tmpLeft.length) fail(`files left in TMPDIR: ${tmpLeft.join(', ')}`);
  const homeFiles = listFiles(home).filter((f) => !f.startsWith('.local/share/LatentWatch/'));
  if (homeFiles.length) fail(`files written in HOME outside the data folder: ${homeFiles.slice(0, 5).join(', ')}`);
  console.log(`test:bundle: ok: bundle ran offline; install folder unchanged (${sums.size} files match SHA256SUMS), TMPDIR empty, HOME holds only .local/share/LatentWatch (${elapsed()})`);

  // ---- 2. the npm cache pack ----
  if (args.has('--cache')) {
    if (args.has('--build')) build('bundle:cache');
    if (!existsSync(cacheTarball)) fail(`${relative(root, cacheTarball)} is missing: run \`npm run bundle:cache\` (or pass --build).`);
    const cacheRoot = join(tmp, 'cache');
    const src = join(tmp, 'src');
    mkdirSync(cacheRoot);
    if (sh('tar', ['-xzf', cacheTarball, '-C', cacheRoot]).status !== 0) fail(`cannot unpack ${cacheTarball}`);
    const packed = join(cacheRoot, cacheName);
    // The sources as a clone would have them (tracked and new files, nothing ignored).
    const files = sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root }).stdout.split('\0').filter(Boolean);
    for (const f of files) if (existsSync(join(root, f))) cpSync(join(root, f), join(src, f), { recursive: true });
    const nodeBin = dirname(process.execPath);
    const npmHome = join(tmp, 'npm-home');
    mkdirSync(npmHome);
    // npm needs node, sh, and for better-sqlite3 a compiler (make, g++, python3): the system PATH.
    const envCi = [`HOME=${npmHome}`, `PATH=${nodeBin}:/usr/local/bin:/usr/bin:/bin`, 'LANG=C.UTF-8'];
    console.log(`test:bundle: npm ci --offline from ${relative(root, cacheTarball)} in the namespace (builds better-sqlite3 and the app)...`);
    const ci = spawnSync(
      'unshare',
      ['-rn', 'env', '-i', ...envCi, 'npm', 'ci', '--offline', '--no-audit', '--no-fund', '--cache', join(packed, 'npm-cache'), `--nodedir=${join(packed, 'node-headers')}`],
      { cwd: src, stdio: 'inherit', timeout: 1_200_000 },
    );
    if (ci.status !== 0) fail(`npm ci --offline failed (exit ${ci.status ?? ci.signal})`);
    const info = spawnSync('unshare', ['-rn', 'env', '-i', ...envCi, `HOME=${npmHome}`, process.execPath, join(src, 'bin', 'latentwatch.mjs'), 'info'], { cwd: src, encoding: 'utf8' });
    if (info.status !== 0) fail(`the offline source install does not run: ${info.stdout}${info.stderr}`);
    const sqlite = spawnSync('unshare', ['-rn', 'env', '-i', ...envCi, process.execPath, '-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: src, encoding: 'utf8' });
    if (sqlite.status !== 0) fail(`better-sqlite3 built offline does not load: ${sqlite.stderr}`);
    console.log(`test:bundle: ok: npm ci --offline --cache installed and built the sources with no network; \`latentwatch info\` runs (${elapsed()})`);
  }
} finally {
  if (args.has('--keep')) console.log(`test:bundle: kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
