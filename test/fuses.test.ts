/**
 * Issue 12 item 8: the packaging fuses. A fake binary carrying Electron's fuse sentinel and an
 * all-default wire is flipped by applyFuses, and the wire read back is what build/fuses.cjs says.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const { FUSES, applyFuses } = require('../build/fuses.cjs') as { FUSES: Record<string, boolean>; applyFuses: (p: string, platform?: string) => Promise<number> };
const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as {
  getCurrentFuseWire: (p: string) => Promise<Record<string, number>>;
  FuseV1Options: Record<string, number>;
};

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('packaging fuses', () => {
  it('name the hardening the checklist asks for', () => {
    expect(FUSES).toMatchObject({ RunAsNode: false, EnableCookieEncryption: true, EnableEmbeddedAsarIntegrityValidation: true, OnlyLoadAppFromAsar: true });
  });

  it('are written into the binary by applyFuses', async () => {
    const bin = join(tmp.dir, 'electron');
    const wire = Buffer.from([1, 8, ...Array<number>(8).fill(0x31)]); // version 1, 8 fuses, all '1' (enabled)
    writeFileSync(bin, Buffer.concat([Buffer.alloc(64, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), wire, Buffer.alloc(64, 7)]));
    // As packed for Windows: every fuse as listed (on Linux, ASAR integrity stays off: electron-builder
    // embeds the hash for Windows and macOS only).
    await applyFuses(bin, 'win32');
    const got = await getCurrentFuseWire(bin);
    for (const [name, on] of Object.entries(FUSES)) expect(got[FuseV1Options[name]!], name).toBe(on ? 0x31 : 0x30);
    await applyFuses(bin, 'linux');
    expect((await getCurrentFuseWire(bin))[FuseV1Options.EnableEmbeddedAsarIntegrityValidation!]).toBe(0x30);
  });
});
