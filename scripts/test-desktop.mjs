#!/usr/bin/env node
// `npm run test:desktop`: dist:desktop end to end where no Electron can be had. A stand-in Electron
// distribution (a shell script carrying Electron's fuse sentinel and default fuse wire, which runs `node`
// under ELECTRON_RUN_AS_NODE=1) and the running Node's headers in place of Electron's exercise every step
// of `dist:desktop --dir`: staging, the better-sqlite3 rebuild from local headers (@electron/rebuild),
// the load check, electron-builder's packing (asar, asarUnpack), the fuses and the final checks; in a
// network namespace where allowed, so that nothing can be downloaded. What it cannot show: the real
// Electron binary starting the packed app, and the AppImage/deb steps (their tools are not on this machine).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fake = mkdtempSync(join(tmpdir(), 'lw-fake-electron-'));
const fail = (msg) => {
  console.error(`test:desktop: FAILED: ${msg}`);
  process.exit(1);
};
try {
  const { version } = JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("electron/package.json"))'], { cwd: root, encoding: 'utf8' }).stdout);
  // Electron 39's default fuse wire, behind the sentinel @electron/fuses looks for.
  const script = `#!/bin/sh\n# Stand-in for the Electron binary (tests only).\nif [ "$ELECTRON_RUN_AS_NODE" = 1 ]; then exec "${process.execPath}" "$@"; fi\necho "stand-in electron: cannot open windows" >&2; exit 1\n# `;
  writeFileSync(join(fake, 'electron'), Buffer.concat([Buffer.from(script), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 9]), Buffer.from('100110011\n')]));
  chmodSync(join(fake, 'electron'), 0o755);
  writeFileSync(join(fake, 'version'), version);
  writeFileSync(join(fake, 'LICENSE'), 'stand-in\n');
  writeFileSync(join(fake, 'LICENSES.chromium.html'), 'stand-in\n');
  const nodePrefix = join(dirname(process.execPath), '..');
  if (!existsSync(join(nodePrefix, 'include', 'node', 'node.h'))) fail(`no Node headers at ${join(nodePrefix, 'include', 'node')} to stand in for Electron's`);
  const env = { ...process.env, ELECTRON_DIST: fake, ELECTRON_HEADERS: nodePrefix };
  const ns = spawnSync('unshare', ['-rn', 'true']).status === 0;
  console.log(`test:desktop: dist:desktop --dir with a stand-in Electron ${version}${ns ? ' in a network namespace' : ' (unshare -rn not allowed: with the network present)'}`);
  const cmd = [process.execPath, join(root, 'scripts', 'dist-desktop.mjs'), '--dir'];
  const r = ns ? spawnSync('unshare', ['-rn', ...cmd], { cwd: root, env, stdio: 'inherit' }) : spawnSync(cmd[0], cmd.slice(1), { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) fail(`dist:desktop exited ${r.status ?? r.signal}`);
  const packed = join(root, 'dist', 'desktop', 'linux-unpacked', 'latentwatch');
  const tail = spawnSync('tail', ['-c', '12', packed], { encoding: 'utf8' }).stdout;
  if (!/010001011/.test(tail)) fail(`unexpected fuse wire on ${packed}: ${JSON.stringify(tail)}`);
  console.log('test:desktop: ok: staged, rebuilt from local headers, packed with asar + unpacked natives and ffmpeg, fuses 010001011');
} finally {
  rmSync(fake, { recursive: true, force: true });
}
