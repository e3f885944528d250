import { describe, expect, it } from 'vitest';
import { type LocateEnv, locateFfmpeg, locateFfprobe, unpackedPath } from './ffmpeg-locate.js';

const fakeEnv = (o: { env?: NodeJS.ProcessEnv; packages?: Record<string, unknown>; executables?: string[] }): LocateEnv => ({
  env: { PATH: '/usr/local/bin:/usr/bin', ...o.env },
  requirePackage: (name) => o.packages?.[name] ?? null,
  isExecutable: (p) => (o.executables ?? []).includes(p),
});

describe('locateFfmpeg', () => {
  const all = {
    env: { FFMPEG_PATH: '/opt/ff/ffmpeg' },
    packages: { 'ffmpeg-static': '/nm/ffmpeg-static/ffmpeg', '@ffmpeg-installer/ffmpeg': { path: '/nm/@ffmpeg-installer/linux-x64/ffmpeg' } },
    executables: ['/opt/ff/ffmpeg', '/nm/ffmpeg-static/ffmpeg', '/nm/@ffmpeg-installer/linux-x64/ffmpeg', '/usr/bin/ffmpeg'],
  };

  it('prefers FFMPEG_PATH, then ffmpeg-static, then @ffmpeg-installer, then PATH', () => {
    expect(locateFfmpeg(fakeEnv(all))).toEqual({ path: '/opt/ff/ffmpeg', source: 'FFMPEG_PATH' });
    expect(locateFfmpeg(fakeEnv({ ...all, env: {} }))).toEqual({ path: '/nm/ffmpeg-static/ffmpeg', source: 'ffmpeg-static' });
    expect(locateFfmpeg(fakeEnv({ ...all, env: {}, packages: { '@ffmpeg-installer/ffmpeg': all.packages['@ffmpeg-installer/ffmpeg'] } }))).toEqual({
      path: '/nm/@ffmpeg-installer/linux-x64/ffmpeg',
      source: '@ffmpeg-installer/ffmpeg',
    });
    expect(locateFfmpeg(fakeEnv({ executables: ['/usr/bin/ffmpeg'] }))).toEqual({ path: '/usr/bin/ffmpeg', source: 'PATH' });
  });

  it('skips ffmpeg-static when its binary was never downloaded', () => {
    const le = fakeEnv({ ...all, env: {}, executables: all.executables.filter((p) => !p.includes('ffmpeg-static')) });
    expect(locateFfmpeg(le).source).toBe('@ffmpeg-installer/ffmpeg');
  });

  it('falls through a FFMPEG_PATH that is not executable', () => {
    const le = fakeEnv({ env: { FFMPEG_PATH: '/nope/ffmpeg' }, executables: ['/usr/bin/ffmpeg'] });
    expect(locateFfmpeg(le).source).toBe('PATH');
  });

  it('names all four places and what to do when none works', () => {
    const le = fakeEnv({ env: { FFMPEG_PATH: '/nope/ffmpeg' }, packages: { 'ffmpeg-static': '/nm/ffmpeg-static/ffmpeg' } });
    expect(() => locateFfmpeg(le)).toThrow(/FFMPEG_PATH: \/nope\/ffmpeg is not an executable file.*ffmpeg-static.*@ffmpeg-installer\/ffmpeg: package not installed.*PATH: no ffmpeg on PATH.*Install ffmpeg/);
    try {
      locateFfmpeg(le);
    } catch (e) {
      expect((e as Error).name).toBe('FfmpegNotFoundError');
    }
  });

  it('finds ffprobe from FFPROBE_PATH, the installer package, beside ffmpeg, then PATH', () => {
    const ff = { path: '/opt/ff/ffmpeg', source: 'FFMPEG_PATH' };
    expect(locateFfprobe(ff, fakeEnv({ env: { FFPROBE_PATH: '/x/ffprobe' }, executables: ['/x/ffprobe', '/opt/ff/ffprobe'] })).path).toBe('/x/ffprobe');
    expect(locateFfprobe(ff, fakeEnv({ packages: { '@ffprobe-installer/ffprobe': { path: '/nm/p/ffprobe' } }, executables: ['/nm/p/ffprobe', '/opt/ff/ffprobe'] })).path).toBe('/nm/p/ffprobe');
    expect(locateFfprobe(ff, fakeEnv({ executables: ['/opt/ff/ffprobe', '/usr/bin/ffprobe'] })).path).toBe('/opt/ff/ffprobe');
    expect(locateFfprobe(ff, fakeEnv({ executables: ['/usr/bin/ffprobe'] })).path).toBe('/usr/bin/ffprobe');
  });
});

describe('unpackedPath', () => {
  it('points a binary inside app.asar at its unpacked copy, and leaves other paths alone', () => {
    expect(unpackedPath('/opt/LatentWatch/resources/app.asar/node_modules/@ffmpeg-installer/linux-x64/ffmpeg')).toBe(
      '/opt/LatentWatch/resources/app.asar.unpacked/node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
    );
    expect(unpackedPath('C:\\LW\\resources\\app.asar\\node_modules\\x\\ffmpeg.exe')).toBe('C:\\LW\\resources\\app.asar.unpacked\\node_modules\\x\\ffmpeg.exe');
    expect(unpackedPath('/home/a/app.asar.unpacked/ffmpeg')).toBe('/home/a/app.asar.unpacked/ffmpeg');
    expect(unpackedPath('/usr/bin/ffmpeg')).toBe('/usr/bin/ffmpeg');
  });
});
