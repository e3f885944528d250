/**
 * Browser mode's upload route: a dropped file is streamed into the data folder's uploads/ under a
 * sanitized name, within a size cap and only when the disk has room for it. Every client mistake is a
 * 4xx with a reason; a partial file is never left behind.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, statfs } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Default upload cap: 4 GiB (LATENTWATCH_MAX_UPLOAD_MB or `serve --max-upload-mb` change it). */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
/** Room kept free on the disk after an upload (the library and its WAL need space too). */
export const DISK_RESERVE_BYTES = 256 * 1024 ** 2;
const MAX_NAME_BYTES = 255;

export class HttpError extends Error {
  constructor(readonly status: number, name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Cut a string to at most `max` UTF-8 bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * Keep a dropped file's name readable but harmless: no folders, no control characters, never `.` or
 * `..`, at most 255 bytes (the file-name limit of common file systems), keeping the extension.
 */
export const safeFileName = (name: string): string => {
  const base = basename(name.replace(/\\/g, '/')).replace(/[\x00-\x1f\x7f/]/g, '_');
  if (/^[.\s]*$/.test(base)) return 'upload';
  if (Buffer.byteLength(base) <= MAX_NAME_BYTES) return base;
  const ext = extname(base);
  const keepExt = ext.length > 1 && Buffer.byteLength(ext) <= 16 ? ext : '';
  return cutBytes(base.slice(0, base.length - keepExt.length), MAX_NAME_BYTES - Buffer.byteLength(keepExt)) + keepExt;
};

export interface UploadLimits {
  maxBytes: number;
  /** Free bytes on the disk holding `dir` (injectable for tests). */
  freeBytes?: (dir: string) => Promise<number>;
}

const diskFree = async (dir: string): Promise<number> => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(n < 1024 ** 2 ? 2 : 0)} MiB`;

/** Save the request body under uploadDir; resolves to the saved path. Throws HttpError for the client's mistakes. */
export async function saveUpload(req: IncomingMessage, uploadDir: string, rawName: string | null, limits: UploadLimits): Promise<string> {
  const name = safeFileName(rawName ?? 'upload');
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null && declared > limits.maxBytes)
    throw new HttpError(413, 'UploadTooLargeError', `The file is ${mib(declared)}, over the upload limit of ${mib(limits.maxBytes)}. Import it by its path instead, or raise the limit (LATENTWATCH_MAX_UPLOAD_MB).`);
  await mkdir(uploadDir, { recursive: true });
  const free = (await (limits.freeBytes ?? diskFree)(uploadDir)) - DISK_RESERVE_BYTES;
  if (free <= 0 || (declared !== null && declared > free))
    throw new HttpError(507, 'DiskFullError', `Not enough free disk space for this upload${declared !== null ? ` (${mib(declared)})` : ''}: ${mib(Math.max(0, free))} can be used. Free some space and try again.`);
  const cap = Math.min(limits.maxBytes, free);
  const dir = join(uploadDir, randomUUID());
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > cap)
        return cb(
          cap === limits.maxBytes
            ? new HttpError(413, 'UploadTooLargeError', `The upload is over the limit of ${mib(limits.maxBytes)}: nothing was kept. Import it by its path instead, or raise the limit (LATENTWATCH_MAX_UPLOAD_MB).`)
            : new HttpError(507, 'DiskFullError', `The disk would be full: the upload was stopped after ${mib(cap)} and nothing was kept. Free some space and try again.`),
        );
      cb(null, chunk);
    },
  });
  try {
    await pipeline(req, counter, createWriteStream(file, { flags: 'wx' }));
    return file;
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    if (e instanceof HttpError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new HttpError(507, 'DiskFullError', 'The disk is full: the upload was not kept. Free some space and try again.');
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') throw new HttpError(400, 'UploadError', 'The upload was interrupted: nothing was kept. Try again.');
    throw e;
  }
}
