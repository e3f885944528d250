/**
 * Files that hold either the old or the new content, never a torn mix: the new content goes to a
 * temporary file in the same folder, which is renamed over the final name only once complete, then
 * the folder is fsynced (where the platform allows). A crash, a killed writer or a full disk leaves
 * the old file (or none) under the final name, and the temporary file is removed on failure.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/**
 * Replace `path` with what `write` puts in the temporary file it is given (beside `path`, unique per
 * call, with the same extension, for tools such as ffmpeg that read it).
 */
export async function replaceAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const ext = extname(path);
  const tmp = join(dir, `.${basename(path, ext)}.${process.pid}-${randomUUID().slice(0, 8)}.part${ext}`);
  let renamed = false;
  try {
    await write(tmp);
    await rename(tmp, path);
    renamed = true;
    try {
      const d = await open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch {
      // Folders cannot be opened/fsynced on some platforms (Windows); the rename is still atomic.
    }
  } finally {
    if (!renamed) await rm(tmp, { force: true });
  }
}

/** Write `bytes` to `path` atomically (as replaceAtomically), the data fsynced before the rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await replaceAtomically(path, async (tmp) => {
    const fh = await open(tmp, 'w');
    try {
      let off = 0;
      while (off < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
        off += bytesWritten;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}
