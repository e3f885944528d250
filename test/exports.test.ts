/** Exports (events, labels, clips), the source-frame route and label storage, on a real (tiny) trained model. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportClip, exportEvents, exportLabels, safeStem } from '../src/core/app/exports.js';
import { serveMedia } from '../src/core/app/media.js';
import { trainModel } from '../src/core/engine/train-model.js';
import { mediaTools } from '../src/core/media/ffmpeg-locate.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import { createLabel, deleteLabel, frameClasses, listLabelClasses, listLabels, updateLabel } from '../src/core/store/labels.js';
import { listEvents } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import { makeTestsrcClip, tempDir } from './helpers.js';

const tmp = tempDir();
const clip = join(tmp.dir, 'caméra hall 1.mp4'); // spaces and a non-ASCII letter on purpose
let store: Store;
let videoId: number;
let modelId: number;

beforeAll(async () => {
  await makeTestsrcClip(clip, { seconds: 10, fps: 10, width: 320, height: 240 });
  store = new Store(join(tmp.dir, 'exports.db'));
  videoId = (await ingestVideo(store, clip, { size: 16 })).videoId;
  modelId = (await trainModel(store, { videoId, epochs: 1, latentDim: 4, batchSize: 16, backend: 'wasm', filters: [8, 8], checkpointDir: join(tmp.dir, 'ck') })).modelId;
}, 120_000);
afterAll(() => {
  store.close();
  tmp.cleanup();
});

const csvRows = (csv: string) => csv.trim().split('\n').slice(1);

describe('event export', () => {
  it('writes the stored events as CSV and JSON with frames, source frames and seconds', () => {
    const stored = listEvents(store, modelId, videoId);
    const csv = exportEvents(store, modelId, videoId, 'csv');
    expect(csv.fileName).toBe(`caméra_hall_1_model${modelId}_events.csv`);
    expect(csv.content.split('\n')[0]).toBe('event,start_frame,end_frame,peak_frame,source_start_frame,source_end_frame,start_sec,end_sec,duration_sec,peak_score,threshold,model_id,video');
    expect(csvRows(csv.content)).toHaveLength(stored.length);
    // One format per column: integers for frames, 3 decimals for seconds, 4 for scores.
    for (const row of csvRows(csv.content)) {
      const cells = row.split(',');
      expect(cells.slice(0, 6).every((c) => /^\d+$/.test(c))).toBe(true);
      expect(cells.slice(6, 9).every((c) => /^-?\d+\.\d{3}$/.test(c))).toBe(true);
      expect(cells.slice(9, 11).every((c) => /^-?\d+\.\d{4}$/.test(c))).toBe(true);
    }
    const json = JSON.parse(exportEvents(store, modelId, videoId, 'json').content) as { events: Array<{ startFrame: number; endFrame: number }>; threshold: number };
    expect(json.events.map((e) => [e.startFrame, e.endFrame])).toEqual(stored.map((e) => [e.startIdx, e.endIdx]));
  });

  it('recomputes events at a dragged threshold: lower gives at least as many event frames, the calibrated one gives the stored events', () => {
    const stored = listEvents(store, modelId, videoId);
    const calibrated = stored[0]?.threshold;
    const low = JSON.parse(exportEvents(store, modelId, videoId, 'json', -1e9).content) as { events: Array<{ startFrame: number; endFrame: number }>; threshold: number };
    expect(low.threshold).toBe(-1e9);
    // Every frame is over a threshold this low: one event covering the video.
    expect(low.events).toEqual([expect.objectContaining({ startFrame: 0, endFrame: 99 })]);
    const high = JSON.parse(exportEvents(store, modelId, videoId, 'json', 1e9).content) as { events: unknown[] };
    expect(high.events).toEqual([]);
    if (calibrated !== undefined) {
      const again = JSON.parse(exportEvents(store, modelId, videoId, 'json', calibrated).content) as { events: Array<{ startFrame: number; endFrame: number }> };
      expect(again.events.map((e) => [e.startFrame, e.endFrame])).toEqual(stored.map((e) => [e.startIdx, e.endIdx]));
    }
  });
});

describe('labels', () => {
  it('creates, clamps, edits and deletes labels, and remembers added classes', () => {
    const a = createLabel(store, { videoId, startIdx: 90, endIdx: 500, cls: 'nuisance', note: 'rain, "heavy"' });
    expect([a.startIdx, a.endIdx]).toEqual([90, 99]); // clamped to the video's 100 frames
    const b = createLabel(store, { videoId, startIdx: 10, endIdx: 19, cls: 'forklift' });
    expect(listLabelClasses(store)).toEqual(['normal', 'nuisance', 'incident', 'tamper', 'forklift']);
    const b2 = updateLabel(store, b.id, { cls: 'incident', note: 'door forced' });
    expect(b2).toMatchObject({ cls: 'incident', note: 'door forced', startIdx: 10 });
    expect(() => createLabel(store, { videoId, startIdx: 200, endIdx: 210, cls: 'normal' })).toThrow(/past its end/);
    expect(listLabels(store, videoId).map((l) => l.cls)).toEqual(['incident', 'nuisance']);
    const classes = frameClasses(listLabels(store, videoId), 100);
    expect(classes[15]).toBe('incident');
    expect(classes[95]).toBe('nuisance');
    expect(classes[50]).toBe('');
  });

  it('exports labels as JSON and as a Label Studio timeline task (1-based source frames)', () => {
    const json = JSON.parse(exportLabels(store, videoId, 'json').content) as { labels: Array<{ class: string; note: string; sourceStartFrame: number }> };
    expect(json.labels.map((l) => l.class)).toEqual(['incident', 'nuisance']);
    expect(json.labels[1]!.note).toBe('rain, "heavy"');
    const ls = JSON.parse(exportLabels(store, videoId, 'label-studio').content) as Array<{ data: { video: string }; meta: { sourcePath: string }; annotations: Array<{ result: Array<{ type: string; value: { ranges: Array<{ start: number; end: number }>; timelinelabels: string[] } }> }> }>;
    // A URL Label Studio's local-files storage serves (document root /), the path kept beside it.
    expect(ls[0]!.data.video).toBe(`/data/local-files/?d=${encodeURIComponent(clip.replace(/^\/+/, ''))}`);
    expect(ls[0]!.meta.sourcePath).toBe(clip);
    const r = ls[0]!.annotations[0]!.result;
    expect(r.map((x) => x.type)).toEqual(['timelinelabels', 'timelinelabels']);
    expect(r[0]!.value).toEqual({ ranges: [{ start: 11, end: 20 }], timelinelabels: ['incident'] });
    for (const l of listLabels(store, videoId)) deleteLabel(store, l.id);
    expect(deleteLabel(store, 99999)).toBeNull();
  });
});

describe('clips and source frames', () => {
  it("cuts an event's span of the source to a playable mp4", async () => {
    const dir = join(tmp.dir, 'exports');
    const out = await exportClip(store, dir, videoId, 2, 4.5);
    expect(out.fileName).toBe('caméra_hall_1_2.00-4.50s.mp4');
    expect(out.sizeBytes).toBeGreaterThan(1000);
    const ffprobe = mediaTools().ffprobe.path;
    const dur = Number(execFileSync(ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', out.path], { encoding: 'utf8' }));
    expect(dur).toBeGreaterThan(2.2);
    expect(dur).toBeLessThan(2.8);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
    const served = await serveMedia(store, `export/${encodeURIComponent(out.fileName)}`, undefined, { cacheDir: join(tmp.dir, 'cache'), exportsDir: dir });
    expect(served.status).toBe(200);
    expect(served.contentType).toBe('video/mp4');
    for (const bad of ['export/..%2Fexports.db', 'export/../exports.db', 'export/%2e%2e.mp4'])
      expect((await serveMedia(store, bad, undefined, { cacheDir: join(tmp.dir, 'cache'), exportsDir: dir })).status, bad).toBe(404);
    await expect(exportClip(store, dir, videoId, 50, 60)).rejects.toThrow(/outside/);
  });

  it('serves a source frame at the source resolution and caches it', async () => {
    const dirs = { cacheDir: join(tmp.dir, 'cache'), exportsDir: join(tmp.dir, 'exports') };
    const r = await serveMedia(store, `source/${videoId}/42.png`, undefined, dirs);
    expect(r.status).toBe(200);
    expect(r.body.readUInt32BE(16)).toBe(320); // PNG width: the source's, not the stored 16 px
    expect(readdirSync(join(dirs.cacheDir, 'source'))).toHaveLength(1);
    expect((await serveMedia(store, `source/${videoId}/4200.png`, undefined, dirs)).status).toBe(404);
  });

  it('file stems keep letters of any script and drop separators', () => {
    expect(safeStem('../../etc/passwd')).toBe('passwd');
    expect(safeStem('кам 1 (вход).mov')).toBe('кам_1_вход');
    expect(existsSync(clip)).toBe(true);
  });
});
