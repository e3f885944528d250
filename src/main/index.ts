/**
 * Electron main: one window with secure defaults, one IPC bridge that serves AppApi from core
 * (sender checked, arguments validated), the lw-media:// protocol for frames, and the app's lifecycle.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_API_METHODS, apiChannel } from '../shared/api.js';
import { eventChannel } from '../shared/events.js';
import { createAppCore, type AppCore } from '../core/app/create-app.js';
import { handle } from '../core/app/handle.js';
import { serveMedia } from '../core/app/media.js';
import { workerEntryBeside } from '../core/jobs/worker-host.js';

const MEDIA_SCHEME = 'lw-media';
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: lw-media:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

protocol.registerSchemesAsPrivileged([{ scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const rendererUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
const rendererFile = join(import.meta.dirname, '../renderer/index.html');
let win: BrowserWindow | null = null;
let core: AppCore | null = null;

/** Only our own page may call the API: the top frame of our window, at our renderer's URL. */
function trustedSender(frame: Electron.WebFrameMain | null): boolean {
  if (!frame || !win || frame !== win.webContents.mainFrame) return false;
  const url = frame.url;
  if (rendererUrl) return url.startsWith(rendererUrl);
  return url === pathToFileURL(rendererFile).href || url.startsWith(pathToFileURL(rendererFile).href + '#');
}

async function pickFile(): Promise<string | null> {
  const opts: Electron.OpenDialogOptions = {
    title: 'Import video',
    properties: ['openFile'],
    filters: [
      { name: 'Video', extensions: ['mp4', 'mov', 'mkv', 'avi', 'webm', 'm4v', 'ts', 'mpg', 'mpeg', 'wmv', 'flv', 'h264', 'hevc'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

function serveApi(c: AppCore): void {
  for (const method of APP_API_METHODS) {
    ipcMain.handle(apiChannel(method), async (event, ...args: unknown[]) => {
      if (!trustedSender(event.senderFrame)) {
        console.warn(`ipc: refused ${method} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return { ok: false, error: { name: 'ForbiddenError', message: 'This frame may not call the LatentWatch API.' } };
      }
      return handle(c.api, method, args);
    });
  }
  c.onEvent((name, payload) => win?.webContents.send(eventChannel(name), payload ?? null));
}

function lockDown(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, cb) =>
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }),
  );
  app.on('web-contents-created', (_e, wc) => {
    wc.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    wc.on('will-navigate', (e) => e.preventDefault());
    wc.on('will-attach-webview', (e) => e.preventDefault());
  });
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    backgroundColor: '#111418',
    title: 'LatentWatch',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => (win = null));
  if (rendererUrl) void win.loadURL(rendererUrl);
  else void win.loadFile(rendererFile);
}

async function start(): Promise<void> {
  await app.whenReady();
  lockDown();
  const dbPath = process.env.LATENTWATCH_DB ?? join(app.getPath('userData'), 'latentwatch.db');
  core = createAppCore({ dbPath, mode: 'electron', worker: workerEntryBeside(import.meta.url), pickFile });
  for (const line of core.recoveryReport) console.log(line);
  const c = core;
  protocol.handle(MEDIA_SCHEME, async (req) => {
    const url = new URL(req.url);
    const m = await serveMedia(c.store, `${url.host}${url.pathname}`, c.sessions, c.mediaDirs);
    return new Response(new Uint8Array(m.body), { status: m.status, headers: { 'content-type': m.contentType } });
  });
  serveApi(c);
  createWindow();
  // Import the demo footage (or any file named by LATENTWATCH_IMPORT) once.
  const demo = process.env.LATENTWATCH_IMPORT;
  if (demo && !c.store.listVideos().some((v) => v.path === demo && v.status === 'ready')) await c.api.importVideo(demo);
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('will-quit', () => core?.close());

start().catch((e: unknown) => {
  dialog.showErrorBox('LatentWatch could not start', (e as Error).message);
  app.exit(1);
});
