#!/usr/bin/env node
// `npm run bundle:cache`: dist/latentwatch-<version>-npm-cache.tar.gz, everything `npm ci` needs for this
// lockfile on a machine with no registry: the npm cache (filled by a clean `npm ci --ignore-scripts`
// against an empty cache, so it holds exactly the lockfile's packages for this platform), and the Node
// headers that node-gyp needs to build better-sqlite3 (from the Node running this script). On the
// offline machine, from a checkout of the same commit:
//   tar -xzf latentwatch-<v>-npm-cache.tar.gz -C /tmp
//   npm ci --offline --cache /tmp/latentwatch-<v>-npm-cache/npm-cache --nodedir=/tmp/latentwatch-<v>-npm-cache/node-headers
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { duBytes } from './lib/prod-modules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const name = `latentwatch-${pkg.version}-npm-cache`;
const distDir = join(root, 'dist');
const stage = join(distDir, '.cache-stage', name);
const tarball = join(distDir, `${name}.tar.gz`);
const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function fail(msg) {
  console.error(`bundle:cache: ${msg}`);
  process.exit(1);
}

if (!existsSync(join(root, 'package-lock.json'))) fail('package-lock.json is missing.');
const headers = join(dirname(process.execPath), '..', 'include', 'node');
if (!existsSync(join(headers, 'node.h')) || !existsSync(join(headers, 'common.gypi')))
  fail(`the Node headers of ${process.execPath} are not at ${headers} (node.h, common.gypi). Install them (e.g. the distribution's nodejs headers package) so better-sqlite3 can be built offline.`);

rmSync(join(distDir, '.cache-stage'), { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const cache = join(stage, 'npm-cache');

// A clean install of the lockfile into a scratch folder fills the empty cache with exactly what npm ci fetches.
const work = mkdtempSync(join(tmpdir(), 'lw-npm-cache-'));
try {
  copyFileSync(join(root, 'package.json'), join(work, 'package.json'));
  copyFileSync(join(root, 'package-lock.json'), join(work, 'package-lock.json'));
  console.log(`bundle:cache: npm ci --ignore-scripts into an empty cache (downloads every package of the lockfile once)...`);
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--cache', cache, '--prefer-online'], { cwd: work, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm ci failed (exit ${r.status ?? r.error?.message}); the registry must be reachable to make the pack.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
rmSync(join(cache, '_logs'), { recursive: true, force: true });
rmSync(join(cache, '_update-notifier-last-checked'), { force: true });

cpSync(headers, join(stage, 'node-headers', 'include', 'node'), { recursive: true });
writeFileSync(
  join(stage, 'OFFLINE.md'),
  `# npm cache for LatentWatch ${pkg.version}

Everything \`npm ci\` needs for package-lock.json of LatentWatch ${pkg.version} on ${process.platform}-${process.arch}
(other platforms' optional binaries are not in it), and the headers of Node ${process.version} for building
better-sqlite3. Use Node ${process.version.split('.')[0]} (the headers must match the Node that runs the app),
npm 11, and a C++ toolchain (make, g++, python3). In a checkout of the same commit:

    tar -xzf ${name}.tar.gz -C /tmp
    npm ci --offline --cache /tmp/${name}/npm-cache --nodedir=/tmp/${name}/node-headers
    npm start

Electron's binary, ffmpeg-static and tfjs-node(-gpu) are never downloaded (their install scripts are off, see
allowScripts in package.json); the app uses ffmpeg from @ffmpeg-installer and browser mode where there is no Electron.
`,
);

mkdirSync(distDir, { recursive: true });
rmSync(tarball, { force: true });
rmSync(`${tarball}.sha256`, { force: true });
const unpacked = duBytes(stage);
const tar = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', tarball, '-C', dirname(stage), name], { stdio: 'inherit' });
if (tar.status !== 0) fail(`tar failed (exit ${tar.status ?? tar.error?.message}).`);
writeFileSync(`${tarball}.sha256`, `${createHash('sha256').update(readFileSync(tarball)).digest('hex')}  ${basename(tarball)}\n`);
rmSync(join(distDir, '.cache-stage'), { recursive: true, force: true });
console.log(`bundle:cache: ${tarball}\n  ${mib(statSync(tarball).size)} packed, ${mib(unpacked)} unpacked (npm cache + Node ${process.version} headers)`);
