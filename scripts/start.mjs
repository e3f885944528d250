#!/usr/bin/env node
// `npm start`: build if needed, make the demo footage if missing, then open it in the desktop app,
// or, where Electron cannot start (no binary, no display), say so in one line and start browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'latentwatch.mjs');
const demo = join(root, 'resources', 'demo', 'demo.mp4');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!existsSync(join(root, 'out', 'main', 'cli.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) run('npm', ['run', 'build']);
if (!existsSync(demo)) run(process.execPath, [cli, 'demo', '--out', demo]);

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const exe = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(exe) ? { exe } : { why: `no electron in ELECTRON_OVERRIDE_DIST_PATH (${process.env.ELECTRON_OVERRIDE_DIST_PATH})` };
  }
  try {
    // Requiring the electron package without its binary starts a download (Electron 45): check for the
    // path file its install writes first.
    const req = createRequire(import.meta.url);
    if (!existsSync(join(dirname(req.resolve('electron/package.json')), 'path.txt'))) return { why: 'no Electron binary is installed: its download is not possible on this machine' };
    const exe = req('electron');
    return existsSync(exe) ? { exe } : { why: 'the electron package has no binary' };
  } catch {
    return { why: 'no Electron binary is installed: its download is not possible on this machine' };
  }
}

const found = electronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
if (found.exe && !noDisplay) {
  const child = spawn(found.exe, [root, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, LATENTWATCH_IMPORT: demo } });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const why = found.exe ? 'there is no display' : found.why;
  console.log(`Electron cannot start here (${why}); starting browser mode instead.`);
  const child = spawn(process.execPath, [cli, 'serve', '--import', demo, ...process.argv.slice(2)], { stdio: 'inherit' });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
