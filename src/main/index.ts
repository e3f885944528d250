/**
 * Electron main: one window with secure defaults, the renderer served from the privileged app://
 * scheme (never file://), one IPC bridge that serves AppApi from core (sender checked, arguments
 * validated), the lw-media:// protocol for frames, navigation locked to the app (navigate, redirect,
 * frame navigation), links out only through navigation.ts's policy, and the app's lifecycle.
 * Packaging flips the fuses in build/fuses.cjs.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_API_METHODS, apiChannel } from '../shared/api.js';
import { eventChannel } from '../shared/events.js';
import { createAppCore, type AppCore } from '../core/app/create-app.js';
import { handle } from '../core/app/handle.js';
import { serveMedia } from '../core/app/media.js';
import { workerEntryBeside } from '../core/jobs/worker-host.js';
import { APP_INDEX_URL, APP_SCHEME, appFileFor, DESKTOP_CSP, externalDecision, isAppUrl } from './navigation.js';

const MEDIA_SCHEME = 'lw-media';
const CSP = DESKTOP_CSP;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

const rendererUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
const rendererRoot = join(import.meta.dirname, '../renderer');
let win: BrowserWindow | null = null;
let core: AppCore | null = null;

/** Only our own page may call the API: the top frame of our window, at our renderer's URL. */
function trustedSender(frame: Electron.WebFrameMain | null): boolean {
  if (!frame || !win || frame !== win.webContents.mainFrame) return false;
  return isAppUrl(frame.url, rendererUrl);
}

/** A link out of the app: opened in the system browser if allowlisted, after asking if https, else refused. */
async function openOutside(url: string): Promise<void> {
  const decision = externalDecision(url);
  if (decision === 'deny') return console.warn(`links: refused to open ${url.slice(0, 200)}`);
  if (decision === 'ask') {
    const opts: Electron.MessageBoxOptions = {
      type: 'question',
      buttons: ['Open in browser', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: 'Open this address in your web browser?',
      detail: url.slice(0, 500),
    };
    const r = win ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
    if (r.response !== 0) return;
  }
  await shell.openExternal(url);
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
      void openOutside(url).catch(() => undefined);
      return { action: 'deny' };
    });
    // The window shows the app and nothing else: no navigation, no redirect, no frame going elsewhere.
    wc.on('will-navigate', (e) => e.preventDefault());
    wc.on('will-redirect', (e) => {
      if (!isAppUrl(e.url, rendererUrl)) e.preventDefault();
    });
    wc.on('will-frame-navigate', (e) => {
      if (!e.isMainFrame || !isAppUrl(e.url, rendererUrl)) e.preventDefault();
    });
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
  void win.loadURL(rendererUrl ?? APP_INDEX_URL);
}

async function start(): Promise<void> {
  await app.whenReady();
  lockDown();
  const dbPath = process.env.LATENTWATCH_DB ?? join(app.getPath('userData'), 'latentwatch.db');
  core = createAppCore({ dbPath, mode: 'electron', worker: workerEntryBeside(import.meta.url), pickFile });
  for (const line of core.recoveryReport) console.log(line);
  const c = core;
  protocol.handle(APP_SCHEME, async (req) => {
    const hit = appFileFor(req.url, rendererRoot);
    const body = hit ? await readFile(hit.file).catch(() => null) : null;
    if (!hit || !body) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return new Response(new Uint8Array(body), { status: 200, headers: { 'content-type': hit.contentType, 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' } });
  });
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
