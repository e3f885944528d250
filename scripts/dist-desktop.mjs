#!/usr/bin/env node
// `npm run dist:desktop`: the desktop installers (Linux: AppImage and deb; Windows: NSIS and macOS: dmg are
// declared in electron-builder.config.mjs and built on those systems) from local parts only, for machines
// whose only outside source is the npm registry:
//   ELECTRON_DIST      an unpacked Electron distribution of the installed electron version for this
//                      platform (electron-v<version>-<platform>-<arch>.zip, unzipped): the `electron` binary
//                      and its files. electron-builder's `electronDist`.
//   ELECTRON_HEADERS   Electron's Node headers for that version (node-v<version>-headers.tar.gz from
//                      Electron's header server, unpacked): a folder with include/node/node.h. better-sqlite3
//                      is rebuilt against them (@electron/rebuild, nodedir = this folder: no download).
//   AppImage: APPIMAGE_TOOLS_PATH, or electron-builder's tool archive seeded in its cache (ELECTRON_BUILDER_CACHE).
//   deb:      CUSTOM_FPM_PATH or USE_SYSTEM_FPM=true, or fpm's archive seeded in that cache.
// Options: --dir (the unpacked app only, no installer), --targets=AppImage,deb.
// Steps: stage the app (out/ + production node_modules) in dist/.desktop-app, rebuild better-sqlite3 there
// for Electron's ABI, check it loads in that Electron, pack with electron-builder (asar, native modules and
// ffmpeg unpacked), flip the fuses (afterPack), and check the result.
// Where a part is missing it stops before doing anything with one line that says what to provide.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { copyPackages, productionPackages, prune } from './lib/prod-modules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const dirOnly = args.includes('--dir');
const targetsArg = args.find((a) => a.startsWith('--targets='))?.slice('--targets='.length);

function stop(msg, code = 2) {
  console.error(`dist:desktop: ${msg}`);
  process.exit(code);
}

// ---- preflight: everything local must be there, or one line naming what to provide ----
const electronPkg = join(root, 'node_modules', 'electron', 'package.json');
if (!existsSync(electronPkg)) stop('the electron package is not installed: run `npm ci`.');
const electronVersion = JSON.parse(readFileSync(electronPkg, 'utf8')).version;
const plat = `${process.platform}-${process.arch}`;
const exeName = { linux: 'electron', win32: 'electron.exe', darwin: 'Electron.app' }[process.platform];
const distEnv = process.env.ELECTRON_DIST?.trim();
const headersEnv = process.env.ELECTRON_HEADERS?.trim();
const linuxTargets = dirOnly ? [] : (targetsArg?.split(',').filter(Boolean) ?? ['AppImage', 'deb']);
const missing = [];
const electronDist = distEnv ? resolve(distEnv) : null;
if (!electronDist)
  missing.push(`ELECTRON_DIST=<folder of electron-v${electronVersion}-${plat}.zip unpacked, holding ${exeName}> (no Electron binary can be downloaded here)`);
else if (!existsSync(join(electronDist, exeName))) missing.push(`ELECTRON_DIST=${electronDist} has no ${exeName}: point it at an unpacked electron-v${electronVersion}-${plat}.zip`);
else if (existsSync(join(electronDist, 'version'))) {
  const v = readFileSync(join(electronDist, 'version'), 'utf8').trim().replace(/^v/, '');
  if (v !== electronVersion) missing.push(`ELECTRON_DIST holds Electron ${v} but the project uses ${electronVersion}: provide electron-v${electronVersion}-${plat}.zip unpacked`);
}
const headers = headersEnv ? resolve(headersEnv) : null;
if (!headers) missing.push(`ELECTRON_HEADERS=<folder of Electron's node-v${electronVersion}-headers.tar.gz unpacked, holding include/node/node.h> (to rebuild better-sqlite3 for Electron)`);
else if (!existsSync(join(headers, 'include', 'node', 'node.h'))) missing.push(`ELECTRON_HEADERS=${headers} has no include/node/node.h: point it at Electron ${electronVersion}'s node-v${electronVersion}-headers.tar.gz unpacked`);
if (process.platform === 'linux') {
  const cacheDir = process.env.ELECTRON_BUILDER_CACHE?.trim() || join(homedir(), '.cache', 'electron-builder');
  if (linuxTargets.includes('AppImage') && !process.env.APPIMAGE_TOOLS_PATH && !existsSync(join(cacheDir, 'appimage-12.0.1', 'appimage-12.0.1.7z')))
    missing.push(`for AppImage APPIMAGE_TOOLS_PATH=<unpacked appimage-12.0.1.7z of electron-userland/electron-builder-binaries> or that archive in ${join(cacheDir, 'appimage-12.0.1')}/ (or pass --targets=deb, or --dir)`);
  if (linuxTargets.includes('deb') && !process.env.CUSTOM_FPM_PATH && process.env.USE_SYSTEM_FPM !== 'true' && !existsSync(join(cacheDir, 'fpm@2.1.4', 'fpm-1.17.0-ruby-3.4.3-linux-amd64.7z')))
    missing.push(`for deb USE_SYSTEM_FPM=true (fpm on PATH) or CUSTOM_FPM_PATH=<fpm> or fpm-1.17.0-ruby-3.4.3-linux-amd64.7z in ${join(cacheDir, 'fpm@2.1.4')}/ (or pass --targets=AppImage, or --dir)`);
}
if (missing.length) stop(`cannot build the desktop installers offline; provide ${missing.join('; ')}.`);
if (!existsSync(join(root, 'out', 'main', 'index.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) stop('out/ is not built: run `npm run build` (npm run dist:desktop does).');

// ---- stage the app: package.json, out/, production node_modules ----
const stage = join(root, 'dist', '.desktop-app');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const appPkg = { name: pkg.name, productName: 'LatentWatch', version: pkg.version, description: pkg.description, license: pkg.license, author: 'LatentWatch contributors', type: pkg.type, main: pkg.main, dependencies: pkg.dependencies };
writeFileSync(join(stage, 'package.json'), JSON.stringify(appPkg, null, 2) + '\n');
cpSync(join(root, 'out'), join(stage, 'out'), { recursive: true });
copyPackages(root, productionPackages(root), stage);

// ---- better-sqlite3 for Electron's ABI, from the local headers ----
console.log(`dist:desktop: rebuilding better-sqlite3 for Electron ${electronVersion} with headers from ${headers}`);
process.env.npm_config_nodedir = headers; // node-gyp reads it: the headers come from here, never from the network
const { rebuild } = await import('@electron/rebuild');
try {
  await rebuild({ buildPath: stage, electronVersion, arch: process.arch, onlyModules: ['better-sqlite3'], force: true, buildFromSource: true, mode: 'sequential', useCache: false });
} catch (e) {
  stop(`rebuilding better-sqlite3 for Electron ${electronVersion} failed: ${e.message}`, 1);
}
prune(join(stage, 'node_modules'));
if (process.platform !== 'darwin') {
  // The rebuilt addon must load in that Electron (its own binary still allows ELECTRON_RUN_AS_NODE).
  const check = spawnSync(join(electronDist, exeName), ['-e', `new (require(${JSON.stringify(join(stage, 'node_modules', 'better-sqlite3'))}))(':memory:').close()`], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  if (check.status !== 0) stop(`better-sqlite3 rebuilt for Electron does not load in ${join(electronDist, exeName)}: ${(check.stderr || check.error?.message || '').trim().split('\n')[0]}`, 1);
}

// ---- fuses (Electron security checklist), flipped on the packed binary ----
const { flipFuses, FuseState, FuseV1Options, getCurrentFuseWire } = await import('@electron/fuses');
const builder = (await import('electron-builder')).default;
// The fuse list lives in one place, build/fuses.cjs (issue 12's Electron checklist).
const { fuseConfig } = (await import('../build/fuses.cjs')).default;
let packedExe = null;
async function afterPack(ctx) {
  const product = ctx.packager.appInfo.productFilename;
  const exe = { linux: join(ctx.appOutDir, ctx.packager.executableName), win32: join(ctx.appOutDir, `${product}.exe`), darwin: join(ctx.appOutDir, `${product}.app`) }[ctx.electronPlatformName];
  await flipFuses(exe, { ...fuseConfig(ctx.electronPlatformName), resetAdHocDarwinSignature: ctx.electronPlatformName === 'darwin' && ctx.arch === builder.Arch.arm64 });
  packedExe = exe;
  console.log(`dist:desktop: fuses flipped on ${exe}`);
}

// ---- pack ----
const { default: base } = await import(pathToFileURL(join(root, 'electron-builder.config.mjs')).href);
const outDir = join(root, base.directories.output);
const config = {
  ...base,
  electronVersion,
  electronDist,
  directories: { ...base.directories, app: stage, output: outDir },
  afterPack,
  ...(process.platform === 'linux' ? { linux: { ...base.linux, target: dirOnly ? ['dir'] : linuxTargets } } : {}),
};
const targets = { linux: builder.Platform.LINUX, win32: builder.Platform.WINDOWS, darwin: builder.Platform.MAC }[process.platform];
let artifacts;
try {
  artifacts = await builder.build({ projectDir: root, targets: targets.createTarget(dirOnly ? ['dir'] : undefined, builder.Arch[process.arch]), config, publish: 'never' });
} catch (e) {
  stop(`electron-builder failed: ${e.message.split('\n')[0]}`, 1);
}

// ---- check: the packed app has the unpacked native parts and ffmpeg, and the fuses are set ----
const unpackedRoot = { linux: join(outDir, 'linux-unpacked'), win32: join(outDir, 'win-unpacked'), darwin: join(outDir, 'mac', 'LatentWatch.app', 'Contents') }[process.platform];
const res = join(unpackedRoot, process.platform === 'darwin' ? 'Resources' : 'resources');
const mustExist = [
  'app.asar',
  'app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
  `app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}`,
  `app.asar.unpacked/node_modules/@ffmpeg-installer/${plat}`,
  `app.asar.unpacked/node_modules/@ffprobe-installer/${plat}`,
];
const absent = mustExist.filter((p) => !existsSync(join(res, p)));
if (absent.length) stop(`the packed app lacks ${absent.join(', ')} under ${res}`, 1);
const wire = packedExe ? await getCurrentFuseWire(packedExe) : null;
if (!wire || wire[FuseV1Options.RunAsNode] !== FuseState.DISABLE || wire[FuseV1Options.OnlyLoadAppFromAsar] !== FuseState.ENABLE) stop(`fuses not set on ${packedExe}`, 1);
rmSync(stage, { recursive: true, force: true });
console.log(`dist:desktop: ok: ${[...artifacts].filter((a) => !a.endsWith('.blockmap')).join(', ') || unpackedRoot}`);
