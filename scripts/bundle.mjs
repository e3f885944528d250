#!/usr/bin/env node
// `npm run bundle`: dist/latentwatch-<version>-<platform>-<arch>.tar.gz, a folder that runs where it is
// unpacked with nothing from outside: the built app (out/), the production node_modules with their native
// parts already built for the Node runtime that travels along (a copy of the node running this script),
// ffmpeg and ffprobe (inside @ffmpeg-installer / @ffprobe-installer), the bin/latentwatch launcher,
// INSTALL.md and SHA256SUMS. Needs `npm ci` and `npm run build` first (the npm script builds).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPackages, duBytes, listFiles, productionPackages, prune } from './lib/prod-modules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = `${process.platform}-${process.arch}`;
const name = `latentwatch-${pkg.version}-${target}`;
const distDir = join(root, 'dist');
const stage = join(distDir, '.stage', name);
const tarball = join(distDir, `${name}.tar.gz`);
const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function fail(msg) {
  console.error(`bundle: ${msg}`);
  process.exit(1);
}

if (process.platform !== 'linux') fail(`only Linux bundles are made by this script (this is ${target}); the desktop installers cover Windows and macOS (npm run dist:desktop).`);

// 1. What must already be there.
for (const f of ['out/main/cli.js', 'out/main/worker.js', 'out/renderer/index.html'])
  if (!existsSync(join(root, f))) fail(`${f} is missing: run \`npm run build\` first.`);
const nm = join(root, 'node_modules');
const sqliteAddon = join(nm, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(sqliteAddon)) fail(`better-sqlite3 is not built (${sqliteAddon} missing): run \`npm ci\` (it needs the Node headers; see README).`);
const ortAddon = join(nm, 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node');
if (!existsSync(ortAddon)) fail(`onnxruntime-node has no ${target} binary (${ortAddon}).`);
for (const tool of ['ffmpeg', 'ffprobe']) {
  const bin = join(nm, `@${tool}-installer`, target, tool);
  if (!existsSync(bin)) fail(`${bin} is missing: reinstall (npm ci) so that @${tool}-installer/${target} is present.`);
}
// The addon must load in the Node that travels along (the one running this script).
const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, encoding: 'utf8' });
if (probe.status !== 0) fail(`better-sqlite3 does not load in ${process.execPath} (${process.version}): ${probe.stderr.trim().split('\n').find((l) => /Error|error/.test(l)) ?? probe.stderr.trim()}. Rebuild it with this Node (npm rebuild better-sqlite3).`);

// 2. Stage.
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(join(root, 'out'), join(stage, 'out'), { recursive: true });
const dirs = productionPackages(root);
copyPackages(root, dirs, stage);
const pruned = prune(join(stage, 'node_modules'));

// The bundle's own package.json: what Node needs (type, the package root for out/), and a marker that
// tells the CLI it runs from a bundle (the demo clip then goes to the data folder, not into the install).
const bundlePkg = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  private: true,
  type: pkg.type,
  main: pkg.main,
  bin: { latentwatch: 'bin/latentwatch' },
  dependencies: pkg.dependencies,
  latentwatch: { bundle: target, node: process.version },
};
writeFileSync(join(stage, 'package.json'), JSON.stringify(bundlePkg, null, 2) + '\n');

// Node runtime: a copy of the running binary (and its licence where the distribution installed one).
mkdirSync(join(stage, 'runtime'));
copyFileSync(process.execPath, join(stage, 'runtime', 'node'));
chmodSync(join(stage, 'runtime', 'node'), 0o755);
for (const lic of [join(dirname(process.execPath), '..', 'share', 'doc', 'nodejs', 'LICENSE'), join(dirname(process.execPath), '..', 'share', 'doc', 'node', 'LICENSE')])
  if (existsSync(lic)) {
    copyFileSync(lic, join(stage, 'runtime', 'LICENSE'));
    break;
  }

// Launcher: POSIX sh with builtins only (works with an empty PATH), follows a symlink to itself.
mkdirSync(join(stage, 'bin'));
copyFileSync(join(root, 'bin', 'latentwatch.mjs'), join(stage, 'bin', 'latentwatch.mjs'));
writeFileSync(
  join(stage, 'bin', 'latentwatch'),
  `#!/bin/sh
# LatentWatch ${pkg.version} launcher: runs the CLI with the Node runtime of this folder.
self=$0
while [ -h "$self" ]; do
  link=$(readlink "$self") || break
  case $link in /*) self=$link ;; *) self=\${self%/*}/$link ;; esac
done
case $self in */*) here=\${self%/*} ;; *) here=. ;; esac
root=$(cd "$here/.." && pwd -P) || exit 1
# ONNX Runtime's telemetry (device id file, uploads) stays off unless asked for; the app sets it too.
ORT_DISABLE_TELEMETRY=\${ORT_DISABLE_TELEMETRY:-1}
export ORT_DISABLE_TELEMETRY
exec "$root/runtime/node" "$root/bin/latentwatch.mjs" "$@"
`,
);
chmodSync(join(stage, 'bin', 'latentwatch'), 0o755);
if (existsSync(join(root, 'LICENSE'))) copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));

// INSTALL.md
const sizeUnpacked = duBytes(stage);
writeFileSync(
  join(stage, 'INSTALL.md'),
  `# LatentWatch ${pkg.version} for ${target}

Self-contained: the app, its Node runtime (${process.version}), ffmpeg and ffprobe, SQLite and ONNX Runtime
are all in this folder. Nothing is downloaded, nothing outside the data folder is written.

## Install

    tar -xzf ${name}.tar.gz -C /opt            # or anywhere you like; no root needed elsewhere
    /opt/${name}/bin/latentwatch info          # shows the bundled ffmpeg and the library path

Optionally link the launcher onto PATH: \`ln -s /opt/${name}/bin/latentwatch /usr/local/bin/\`.
Check the files: \`cd /opt/${name} && sha256sum -c SHA256SUMS\`.

## Use

    latentwatch serve                         # browser mode on 127.0.0.1: open the printed URL
    latentwatch ingest clip.mp4               # import a video from a terminal
    latentwatch train --video 1 --epochs 20   # learn normal footage, then score it
    latentwatch help                          # every command

## Where data goes

The library and everything the app writes (frames, models, uploads, caches, the demo clip) live in one
data folder: \`$LATENTWATCH_HOME\` when set, else \`~/.local/share/LatentWatch\` (\`$XDG_DATA_HOME\` is
respected). \`LATENTWATCH_DB\` or \`--db\` point at another library file. The install folder is only read.

## Requirements

Linux x86-64 with glibc 2.28 or newer (Debian 10+, Ubuntu 20.04+, RHEL 8+). No Node, npm, ffmpeg or
network needed. Unpacked size ${mib(sizeUnpacked)}.
`,
);

// SHA256SUMS over every file (sha256sum -c format).
const files = listFiles(stage);
const sums = files.map((f) => `${createHash('sha256').update(readFileSync(join(stage, f))).digest('hex')}  ${f}`).join('\n') + '\n';
writeFileSync(join(stage, 'SHA256SUMS'), sums);

// 3. Pack (GNU tar, owner-neutral, sorted names so that the same input gives the same archive layout).
mkdirSync(distDir, { recursive: true });
rmSync(tarball, { force: true });
rmSync(`${tarball}.sha256`, { force: true });
const tar = spawnSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', tarball, '-C', dirname(stage), name], { stdio: 'inherit' });
if (tar.status !== 0) fail(`tar failed (exit ${tar.status ?? tar.error?.message}).`);
writeFileSync(`${tarball}.sha256`, `${createHash('sha256').update(readFileSync(tarball)).digest('hex')}  ${basename(tarball)}\n`);
rmSync(join(distDir, '.stage'), { recursive: true, force: true });

console.log(
  `bundle: ${tarball}\n  ${mib(statSync(tarball).size)} packed, ${mib(sizeUnpacked)} unpacked; ${dirs.length} packages (${mib(pruned)} of other platforms' binaries, build leftovers, maps and typings pruned); Node ${process.version}`,
);
