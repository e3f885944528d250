/** What ffprobe says about a file, with clear errors for what is not a usable video. */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../../shared/envelope.js';
import { mediaTools } from './ffmpeg-locate.js';

export interface VideoProbe {
  path: string;
  sizeBytes: number;
  codec: string;
  width: number;
  height: number;
  /** Frames per second (average rate where the stream says it). */
  fps: number;
  durationSec: number;
  /** Frame count from the container when it states one, else duration × fps rounded. */
  frameCountEstimate: number;
  /** Start time of the video stream in seconds (pts of the first frame). */
  startSec: number;
}

/** Largest picture side accepted: larger footage gets a clear error instead of exhausting memory. */
export const MAX_SOURCE_SIDE = 8192;
/** Smallest picture side accepted: below it there is nothing to learn a scene from. */
export const MIN_SOURCE_SIDE = 8;

/** A clear error for a path the file system refuses before looking (too long, a file used as a folder), or null. */
export function pathError(path: string, e: unknown): AppError | null {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENAMETOOLONG')
    return new AppError('PathTooLongError', `The path is too long for this system (${path.length} characters${path.length > 4096 ? ', over 4,096' : ''}, or a name over 255 bytes): move or rename the file and try again.`);
  if (code === 'ENOTDIR') return new AppError('NotFoundError', `No file at ${path.slice(0, 300)}: a part of the path is a file, not a folder.`);
  if (code === 'ELOOP') return new AppError('NotFoundError', `No file at ${path.slice(0, 300)}: the path has a loop of symbolic links.`);
  return null;
}

const parseRate = (r: unknown): number => {
  if (typeof r !== 'string') return NaN;
  const [a, b] = r.split('/').map(Number);
  if (b === undefined) return Number(a);
  return b ? a! / b : NaN;
};

const num = (v: unknown): number => (v === undefined || v === null || v === 'N/A' ? NaN : Number(v));

export async function probeVideo(path: string): Promise<VideoProbe> {
  const name = basename(path);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new AppError('NotAVideoError', `${path} is a folder, not a video file.`);
    size = st.size;
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NotFoundError', `No file at ${path}. Check the path and try again.`);
    if (code === 'EACCES') throw new AppError('PermissionError', `Cannot read ${path}: permission denied.`);
    throw pathError(path, e) ?? e;
  }
  if (size === 0) throw new AppError('NotAVideoError', `${name} is empty (0 bytes).`);

  const { ffprobe } = mediaTools();
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-select_streams', 'v:0', '--', path];
  const out = await new Promise<string>((resolve, reject) => {
    execFile(ffprobe.path, args, { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) {
        const why = String(stderr).trim().split('\n').slice(-2).join(' ').replace(`${path}: `, '') || err.message;
        reject(new AppError('NotAVideoError', `${name} is not a video that ffmpeg can read (${why}).`));
      } else resolve(String(stdout));
    });
  });

  let info: { streams?: Array<Record<string, unknown>>; format?: Record<string, unknown> };
  try {
    info = JSON.parse(out) as typeof info;
  } catch {
    throw new AppError('NotAVideoError', `${name}: ffprobe gave no readable answer.`);
  }
  const s = info.streams?.[0];
  if (!s) throw new AppError('NotAVideoError', `${name} has no video stream.`);
  const width = num(s.width);
  const height = num(s.height);
  if (!(width > 0 && height > 0)) throw new AppError('NotAVideoError', `${name}: the video stream has no picture size.`);
  if (width > MAX_SOURCE_SIDE || height > MAX_SOURCE_SIDE)
    throw new AppError(
      'TooLargeError',
      `${name} is ${width}x${height}; LatentWatch reads footage up to ${MAX_SOURCE_SIDE} pixels a side. Downscale it first (e.g. ffmpeg -vf scale=1920:-2).`,
    );
  if (width < MIN_SOURCE_SIDE || height < MIN_SOURCE_SIDE)
    throw new AppError('TooSmallError', `${name} is ${width}x${height}: LatentWatch needs at least ${MIN_SOURCE_SIDE} pixels a side to learn a scene. Check that this is the camera's footage.`);
  let fps = parseRate(s.avg_frame_rate);
  if (!(fps > 0 && fps < 1000)) fps = parseRate(s.r_frame_rate);
  if (!(fps > 0 && fps < 1000)) throw new AppError('NotAVideoError', `${name}: the frame rate is unknown; it may be a still image rather than a video.`);
  let durationSec = num(s.duration);
  if (!(durationSec > 0)) durationSec = num(info.format?.duration);
  const nb = num(s.nb_frames);
  if (!(durationSec > 0) && nb > 0) durationSec = nb / fps;
  if (!(durationSec > 0)) throw new AppError('NotAVideoError', `${name}: the video has no duration (a still image or an empty stream).`);
  const frameCountEstimate = nb > 0 ? nb : Math.max(1, Math.round(durationSec * fps));
  const startSec = Number.isFinite(num(s.start_time)) ? num(s.start_time) : 0;
  return { path, sizeBytes: size, codec: String(s.codec_name ?? 'unknown'), width, height, fps, durationSec, frameCountEstimate, startSec };
}
