/**
 * Electron fuses for packaged builds (issue 12 item 8): flipped in the Electron binary at packaging
 * time, so they cannot be undone by an environment variable or a command-line flag.
 *   RunAsNode off                 ELECTRON_RUN_AS_NODE cannot turn the app into a plain Node.
 *   EnableCookieEncryption on     cookies on disk are encrypted with the OS keystore.
 *   NODE_OPTIONS, --inspect off   no code injected through the environment or a debugger flag.
 *   ASAR integrity on             app.asar is checked against the hash embedded at packaging (Windows
 *                                 and macOS: electron-builder embeds that hash there only, so on Linux
 *                                 the fuse stays off or the packed app would not start).
 *   OnlyLoadAppFromAsar on        the app loads only from app.asar, never from a loose app/ folder.
 *   GrantFileProtocolExtraPrivileges off   file:// gets no special rights (the UI is served from app://).
 * Use from a packaging step: `require('./build/fuses.cjs').applyFuses(pathToElectronBinary)`, or as
 * electron-builder's `afterPack: './build/fuses.cjs'` (module.exports.default is the afterPack hook).
 */
'use strict';
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** The fuse settings, by name (for people and tests). */
const FUSES = Object.freeze({
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
});

/** The config @electron/fuses takes for a target platform: FuseV1Options index -> state. */
function fuseConfig(platform = process.platform) {
  const config = { version: FuseVersion.V1 };
  for (const [name, on] of Object.entries(FUSES)) {
    const option = FuseV1Options[name];
    if (option === undefined) throw new Error(`@electron/fuses does not know the fuse ${name}: update it.`);
    config[option] = name === 'EnableEmbeddedAsarIntegrityValidation' ? on && (platform === 'darwin' || platform === 'mas' || platform === 'win32') : on;
  }
  return config;
}

/** Flip the fuses in the Electron binary (the executable; on macOS the .app bundle). Resolves to the number of wires changed. */
async function applyFuses(electronBinaryPath, platform = process.platform) {
  return flipFuses(electronBinaryPath, { ...fuseConfig(platform), resetAdHocDarwinSignature: /\.app(\/|$)/.test(electronBinaryPath) && process.platform === 'darwin' });
}

/** electron-builder afterPack hook: the packaged binary of this platform. */
async function afterPack(context) {
  const name = context.packager.appInfo.productFilename;
  const platform = context.electronPlatformName;
  const binary =
    platform === 'darwin' || platform === 'mas'
      ? path.join(context.appOutDir, `${name}.app`)
      : path.join(context.appOutDir, platform === 'win32' ? `${name}.exe` : context.packager.executableName);
  await applyFuses(binary, platform);
}

module.exports = { FUSES, fuseConfig, applyFuses, afterPack, default: afterPack };
