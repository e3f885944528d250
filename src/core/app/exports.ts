/** Files the analyst takes away: events (CSV, JSON), labels (JSON, Label Studio), an event's clip (mp4). */
import { stat } from 'node:fs/promises';
import { join, parse } from 'node:path';
import type { ExportedClip, ExportFile, Label } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { detectEvents, eventOptionsAt } from '../../shared/event-detection.js';
import { cutClip } from '../media/cut.js';
import { listLabels } from '../store/labels.js';
import { getModel } from '../store/models.js';
import type { Store } from '../store/store.js';
import { changeEvents, scoreSeries } from './queries.js';

/** A file-name-safe stem: letters (any script), digits, - and _; others become _. */
export function safeStem(name: string): string {
  const stem = parse(name).name.normalize('NFC').replace(/[^\p{L}\p{N}_-]+/gu, '_').replace(/^_+|_+$/g, '');
  return (stem || 'video').slice(0, 80);
}

const csvCell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
/** One format a column: frame numbers as integers, seconds to the millisecond, scores to 4 decimals. */
const int = (v: number): string => String(Math.round(v));
const sec = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '');
const score = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : '');

/**
 * Label Studio reads local media through its local-files storage: with
 * LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED=true and LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT=/ (the root
 * this export assumes; see README), a file is `/data/local-files/?d=<path below the root>`.
 */
export const LABEL_STUDIO_DOCUMENT_ROOT = '/';
export function labelStudioUrl(path: string): string {
  const below = path.replace(/\\/g, '/').replace(/^[A-Za-z]:/, '').replace(/^\/+/, '');
  return `/data/local-files/?d=${encodeURIComponent(below)}`;
}

export interface EventRow {
  event: number;
  startFrame: number;
  endFrame: number;
  peakFrame: number;
  sourceStartFrame: number;
  sourceEndFrame: number;
  startSec: number;
  endSec: number;
  durationSec: number;
  peakScore: number;
}

/** The events of a scored video: the stored ones, or recomputed at another threshold with the same rules. */
export function eventRows(store: Store, modelId: number, videoId: number, threshold?: number): { rows: EventRow[]; threshold: number } {
  const pts = store.framePts(videoId);
  const src = (i: number) => store.frameInfo(videoId, i).sourceFrame;
  let spans: Array<{ start: number; end: number; peak: number; peakScore: number }>;
  let used: number;
  if (threshold === undefined) {
    const stored = changeEvents(store, modelId, videoId);
    spans = stored.map((e) => ({ start: e.startIdx, end: e.endIdx, peak: e.peakIdx, peakScore: e.peakScore }));
    used = stored[0]?.threshold ?? scoreSeries(store, modelId, videoId).threshold;
  } else {
    const series = scoreSeries(store, modelId, videoId);
    if (series.combined.length === 0) throw new AppError('NotScoredError', `This video has no scores from model ${modelId}: score it first.`);
    spans = detectEvents(series.combined, eventOptionsAt(series, threshold));
    used = threshold;
  }
  const last = pts.length - 1;
  const frameDur = pts.length > 1 ? (pts[last]! - pts[0]!) / last : 0;
  const rows = spans.map((s, k) => ({
    event: k + 1,
    startFrame: s.start,
    endFrame: s.end,
    peakFrame: s.peak,
    sourceStartFrame: src(s.start),
    sourceEndFrame: src(s.end),
    startSec: pts[s.start]!,
    endSec: pts[s.end]! + frameDur,
    durationSec: pts[s.end]! + frameDur - pts[s.start]!,
    peakScore: s.peakScore,
  }));
  return { rows, threshold: used };
}

export function exportEvents(store: Store, modelId: number, videoId: number, format: 'csv' | 'json', threshold?: number): ExportFile {
  const m = getModel(store, modelId);
  const v = store.getVideo(videoId);
  const { rows, threshold: used } = eventRows(store, modelId, videoId, threshold);
  const base = `${safeStem(v.name)}_model${modelId}_events`;
  if (format === 'json') {
    const doc = { video: { id: v.id, name: v.name, path: v.path, sampledFps: v.sampledFps }, model: { id: m.id, name: m.name, kind: m.kind }, threshold: used, events: rows };
    return { fileName: `${base}.json`, mime: 'application/json', content: `${JSON.stringify(doc, null, 2)}\n` };
  }
  const header = ['event', 'start_frame', 'end_frame', 'peak_frame', 'source_start_frame', 'source_end_frame', 'start_sec', 'end_sec', 'duration_sec', 'peak_score', 'threshold', 'model_id', 'video'];
  const lines = rows.map((r) =>
    [int(r.event), int(r.startFrame), int(r.endFrame), int(r.peakFrame), int(r.sourceStartFrame), int(r.sourceEndFrame), sec(r.startSec), sec(r.endSec), sec(r.durationSec), score(r.peakScore), score(used), int(modelId), v.name]
      .map(csvCell)
      .join(','),
  );
  return { fileName: `${base}.csv`, mime: 'text/csv', content: `${[header.join(','), ...lines].join('\n')}\n` };
}

export function exportLabels(store: Store, videoId: number, format: 'json' | 'label-studio'): ExportFile {
  const v = store.getVideo(videoId);
  const labels = listLabels(store, videoId);
  const pts = store.framePts(videoId);
  const src = (i: number) => store.frameInfo(videoId, i).sourceFrame;
  const base = `${safeStem(v.name)}_labels`;
  if (format === 'json') {
    const doc = {
      video: { id: v.id, name: v.name, path: v.path, sampledFps: v.sampledFps, sourceFps: v.sourceFps },
      labels: labels.map((l: Label) => ({
        id: l.id,
        class: l.cls,
        note: l.note,
        startFrame: l.startIdx,
        endFrame: l.endIdx,
        sourceStartFrame: src(l.startIdx),
        sourceEndFrame: src(l.endIdx),
        startSec: pts[l.startIdx],
        endSec: pts[l.endIdx],
        createdAt: l.createdAt,
        updatedAt: l.updatedAt,
      })),
    };
    return { fileName: `${base}.json`, mime: 'application/json', content: `${JSON.stringify(doc, null, 2)}\n` };
  }
  // Label Studio's video timeline (TimelineLabels): one task, ranges in 1-based source frames; the video
  // as a local-files URL Label Studio can load (document root: LABEL_STUDIO_DOCUMENT_ROOT).
  const task = [
    {
      data: { video: labelStudioUrl(v.path) },
      meta: { latentwatchVideoId: v.id, sourceFps: v.sourceFps, sourcePath: v.path, localFilesDocumentRoot: LABEL_STUDIO_DOCUMENT_ROOT },
      annotations: [
        {
          result: labels.map((l) => ({
            id: `lw-${l.id}`,
            from_name: 'videoLabels',
            to_name: 'video',
            type: 'timelinelabels',
            origin: 'manual',
            value: { ranges: [{ start: src(l.startIdx) + 1, end: src(l.endIdx) + 1 }], timelinelabels: [l.cls] },
            ...(l.note ? { meta: { text: [l.note] } } : {}),
          })),
        },
      ],
    },
  ];
  return { fileName: `${base}_label-studio.json`, mime: 'application/json', content: `${JSON.stringify(task, null, 2)}\n` };
}

export async function exportClip(store: Store, exportsDir: string, videoId: number, startSec: number, endSec: number): Promise<ExportedClip> {
  const v = store.getVideo(videoId);
  if (v.status !== 'ready') throw new AppError('NotReadyError', `${v.name} is still importing.`);
  const from = Math.max(0, startSec);
  const to = Math.min(endSec, v.durationSec > 0 ? v.durationSec : endSec);
  if (!(to > from)) throw new AppError('InvalidArgumentError', `The clip ${startSec.toFixed(2)}–${endSec.toFixed(2)} s is outside ${v.name} (${v.durationSec.toFixed(2)} s).`);
  const fileName = `${safeStem(v.name)}_${from.toFixed(2)}-${to.toFixed(2)}s.mp4`;
  const path = join(exportsDir, fileName);
  await cutClip(v.path, from, to, path);
  return { path, fileName, sizeBytes: (await stat(path)).size };
}
