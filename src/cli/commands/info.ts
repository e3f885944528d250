/** `latentwatch info`: the version, the ffmpeg in use and where the library is. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mediaTools } from '../../core/media/ffmpeg-locate.js';
import { defaultDbPath } from '../../core/paths.js';
import { APP_VERSION } from '../../core/version.js';

export async function cmdInfo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, db: { type: 'string' } } });
  let ffmpeg: { path: string; source: string; ffprobe: string; version: string } | null = null;
  let ffmpegError: string | null = null;
  try {
    const t = mediaTools();
    ffmpeg = { path: t.ffmpeg.path, source: t.ffmpeg.source, ffprobe: t.ffprobe.path, version: t.version };
  } catch (e) {
    ffmpegError = (e as Error).message;
  }
  const info = { version: APP_VERSION, node: process.version, db: resolve(values.db ?? defaultDbPath()), ffmpeg, ffmpegError };
  if (values.json) console.log(JSON.stringify(info));
  else {
    console.log(`LatentWatch ${info.version} (Node ${info.node})`);
    console.log(`library: ${info.db}`);
    console.log(ffmpeg ? `ffmpeg:  ${ffmpeg.path} (${ffmpeg.source}): ${ffmpeg.version}\nffprobe: ${ffmpeg.ffprobe}` : `ffmpeg:  missing. ${ffmpegError}`);
  }
  return ffmpeg ? 0 : 1;
}
