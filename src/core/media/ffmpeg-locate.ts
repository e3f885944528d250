/**
 * Finding ffmpeg and ffprobe. Order (ARCHITECTURE.md): FFMPEG_PATH, ffmpeg-static (only if its binary
 * really exists: its download is blocked on lab machines), @ffmpeg-installer/ffmpeg (binary shipped
 * inside the npm package), then `ffmpeg` on PATH. When none works, one error names all four.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { AppError } from '../../shared/envelope.js';

export type FfmpegSource = 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface Located {
  path: string;
  source: string;
}

export interface Candidate {
  source: FfmpegSource | string;
  /** Path to try, or null when the source does not apply (unset variable, package not installed). */
  path: string | null;
  /** Why the source does not apply, for the error message. */
  reason?: string;
}

/** Environment the search reads; injectable for tests. */
export interface LocateEnv {
  env: NodeJS.ProcessEnv;
  /** Resolve a package's exported value (the binary path); null when the package is missing. */
  requirePackage: (name: string) => unknown;
  isExecutable: (path: string) => boolean;
}

const requireOptional = createRequire(import.meta.url);

export const defaultLocateEnv = (): LocateEnv => ({
  env: process.env,
  requirePackage: (name) => {
    try {
      return requireOptional(name) as unknown;
    } catch {
      return null;
    }
  },
  isExecutable,
});

export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv, isExec: (p: string) => boolean): string | null {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const p = join(dir, name + ext);
      if (isExec(p)) return p;
    }
  }
  return null;
}

const pathOf = (mod: unknown): string | null => {
  if (typeof mod === 'string') return unpackedPath(mod);
  if (mod && typeof mod === 'object' && 'path' in mod && typeof (mod as { path: unknown }).path === 'string') return unpackedPath((mod as { path: string }).path);
  return null;
};

/**
 * In a packaged desktop app the installer packages resolve inside app.asar, which cannot be executed;
 * electron-builder's asarUnpack puts the real binaries under app.asar.unpacked.
 */
export function unpackedPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

export function ffmpegCandidates(le: LocateEnv): Candidate[] {
  const fromEnv = le.env.FFMPEG_PATH?.trim();
  const stat = pathOf(le.requirePackage('ffmpeg-static'));
  const inst = pathOf(le.requirePackage('@ffmpeg-installer/ffmpeg'));
  const sys = onPath('ffmpeg', le.env, le.isExecutable);
  return [
    { source: 'FFMPEG_PATH', path: fromEnv || null, reason: 'not set' },
    { source: 'ffmpeg-static', path: stat, reason: 'package not installed' },
    { source: '@ffmpeg-installer/ffmpeg', path: inst, reason: 'package not installed' },
    { source: 'PATH', path: sys, reason: 'no ffmpeg on PATH' },
  ];
}

function pick(tool: string, candidates: Candidate[], le: LocateEnv, hint: string): Located {
  const tried: string[] = [];
  for (const c of candidates) {
    if (!c.path) {
      tried.push(`${c.source}: ${c.reason ?? 'not available'}`);
      continue;
    }
    if (le.isExecutable(c.path)) return { path: c.path, source: c.source };
    tried.push(`${c.source}: ${c.path} is not an executable file`);
  }
  throw new AppError('FfmpegNotFoundError', `${tool} was not found. Tried ${tried.join('; ')}. ${hint}`);
}

const FFMPEG_HINT =
  'Install ffmpeg (e.g. `apt-get install ffmpeg`), or set FFMPEG_PATH to an ffmpeg binary, or reinstall the app so that @ffmpeg-installer/ffmpeg is present.';

export function locateFfmpeg(le: LocateEnv = defaultLocateEnv()): Located {
  return pick('ffmpeg', ffmpegCandidates(le), le, FFMPEG_HINT);
}

/** ffprobe: FFPROBE_PATH, @ffprobe-installer/ffprobe, beside the chosen ffmpeg, then PATH. */
export function locateFfprobe(ffmpeg: Located, le: LocateEnv = defaultLocateEnv()): Located {
  const fromEnv = le.env.FFPROBE_PATH?.trim();
  const inst = pathOf(le.requirePackage('@ffprobe-installer/ffprobe'));
  const beside = join(dirname(ffmpeg.path), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  return pick(
    'ffprobe',
    [
      { source: 'FFPROBE_PATH', path: fromEnv || null, reason: 'not set' },
      { source: '@ffprobe-installer/ffprobe', path: inst, reason: 'package not installed' },
      { source: 'beside ffmpeg', path: beside },
      { source: 'PATH', path: onPath('ffprobe', le.env, le.isExecutable), reason: 'no ffprobe on PATH' },
    ],
    le,
    'Install ffmpeg (which brings ffprobe), or set FFPROBE_PATH.',
  );
}

export interface MediaTools {
  ffmpeg: Located;
  ffprobe: Located;
  /** ffmpeg's own version line (runs `ffmpeg -version` once, on first use). */
  readonly version: string;
}

let cached: MediaTools | null = null;

/** The tools this process uses, found once. */
export function mediaTools(): MediaTools {
  if (cached) return cached;
  const ffmpeg = locateFfmpeg();
  const ffprobe = locateFfprobe(ffmpeg);
  let version: string | null = null;
  cached = {
    ffmpeg,
    ffprobe,
    get version(): string {
      if (version === null) {
        try {
          version = execFileSync(ffmpeg.path, ['-version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0] ?? 'unknown';
        } catch (e) {
          throw new AppError('FfmpegNotFoundError', `ffmpeg at ${ffmpeg.path} (${ffmpeg.source}) does not run: ${(e as Error).message}. ${FFMPEG_HINT}`);
        }
      }
      return version;
    },
  };
  return cached;
}
