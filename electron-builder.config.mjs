// electron-builder configuration of the desktop installers. `npm run dist:desktop` (scripts/dist-desktop.mjs)
// adds what depends on the machine: the local Electron distribution (electronDist), the staged app folder
// with better-sqlite3 rebuilt for Electron (directories.app) and the fuses (afterPack). Nothing here
// downloads: no Electron, no headers, no publishing.
export default {
  appId: 'org.latentwatch.desktop',
  productName: 'LatentWatch',
  executableName: 'latentwatch',
  copyright: 'LatentWatch contributors, MIT licence',
  directories: { output: 'dist/desktop' },
  files: ['package.json', 'out/**', 'node_modules/**'],
  asar: true,
  // Executed or dlopen'ed, so they cannot stay inside app.asar: better-sqlite3's addon, ONNX Runtime's
  // addon and shared library, ffmpeg and ffprobe (the app maps app.asar/... to app.asar.unpacked/...).
  asarUnpack: [
    'node_modules/better-sqlite3/**',
    'node_modules/onnxruntime-node/bin/**',
    'node_modules/@ffmpeg-installer/**',
    'node_modules/@ffprobe-installer/**',
  ],
  // The script rebuilds better-sqlite3 for Electron from local headers before packing.
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  publish: null,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Video',
    maintainer: 'LatentWatch maintainers <latentwatch@localhost>',
    synopsis: 'Offline change detection for camera footage',
  },
  deb: { packageCategory: 'video' },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.video' },
};
