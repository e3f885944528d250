/**
 * Test clips inside a test video, and the measurements that need them (issue 10 item 5):
 *
 * - the papers' per-clip protocol AUC: each clip's scores min-max scaled to [0, 1] within the clip,
 *   then pooled (comparison with published numbers only: no deployed system knows a clip's score range);
 * - detection at the app's own threshold from the stored events (what the analyst sees): the
 *   false-positive rate of normal frames, event recall and clip recall (a truth event / anomalous clip is
 *   found when a detected event overlaps its anomalous frames), and false alarms per hour of normal
 *   footage (detected events overlapping no anomalous frame, over the hours of normal frames);
 * each pooled and per clip.
 *
 * `clips.csv` (shared/data/ucsd-ped2): `clip,start,end`, frames inclusive, counting from 0. The training
 * clip list of the same folder (`clip,n_frames,start_frame_in_train_mp4,end_frame_in_train_mp4`) is read
 * too: the first column named start… and the first named end… are the range.
 */
import { aucByKind, findEvents, type KindAuc, rocAuc, type TruthLike } from './roc.js';

/** A clip's frame range in its video, inclusive. */
export interface ClipRange {
  name: string;
  start: number;
  end: number;
}

export class ClipsFormatError extends Error {
  constructor(message: string, line?: number) {
    super(line === undefined ? `clips.csv: ${message}` : `clips.csv line ${line}: ${message}`);
    this.name = 'ClipsFormatError';
  }
}

/** Parse a clip list; clips must be in order and not overlap (see checkClipsCover for a full partition). */
export function parseClipsCsv(text: string): ClipRange[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new ClipsFormatError('the file is empty');
  const head = lines[0]!.split(',').map((s) => s.trim().toLowerCase());
  const ci = head.indexOf('clip');
  const si = head.findIndex((h) => h.startsWith('start'));
  const ei = head.findIndex((h) => h.startsWith('end'));
  if (ci < 0 || si < 0 || ei < 0) throw new ClipsFormatError(`expected a header with clip, start and end columns (clip,start,end), got "${lines[0]!.slice(0, 80)}"`, 1);
  const clips: ClipRange[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(',').map((s) => s.trim());
    if (f.length !== head.length) throw new ClipsFormatError(`expected ${head.length} fields, got ${f.length}`, i + 1);
    const [name, s, e] = [f[ci]!, f[si]!, f[ei]!];
    if (name === '') throw new ClipsFormatError('empty clip name', i + 1);
    if (!/^\d+$/.test(s) || !/^\d+$/.test(e)) throw new ClipsFormatError(`start and end must be non-negative integers, got "${s}", "${e}"`, i + 1);
    const start = Number(s);
    const end = Number(e);
    if (end < start) throw new ClipsFormatError(`end ${end} is before start ${start}`, i + 1);
    const prev = clips[clips.length - 1];
    if (prev && start <= prev.end) throw new ClipsFormatError(`clip ${name} starts at ${start}, inside or before the previous clip (ends at ${prev.end})`, i + 1);
    if (clips.some((c) => c.name === name)) throw new ClipsFormatError(`clip ${name} appears twice`, i + 1);
    clips.push({ name, start, end });
  }
  if (clips.length === 0) throw new ClipsFormatError('no clips after the header');
  return clips;
}

/** Throws unless the clips are consecutive and cover frames 0..frames−1 exactly. */
export function checkClipsCover(clips: readonly ClipRange[], frames: number, what = 'clips.csv'): void {
  let next = 0;
  for (const c of clips) {
    if (c.start !== next) throw new RangeError(`${what}: clip ${c.name} starts at frame ${c.start}, expected ${next} (the clips must cover the test video without gaps)`);
    next = c.end + 1;
  }
  if (next !== frames) throw new RangeError(`${what}: the clips end at frame ${next - 1} but the test video has ${frames} frames (0..${frames - 1})`);
}

/** Each clip's first frame (for scores that look at the previous frame: a clip boundary is a scene cut). */
export const clipStarts = (clips: readonly ClipRange[]): number[] => clips.map((c) => c.start);

/**
 * The papers' protocol: scores min-max scaled within each clip (a clip of one constant score maps to 0),
 * frames outside every clip left out. Returns the scaled scores and the frame index each came from.
 */
export function minMaxPerClip(scores: ArrayLike<number>, clips: readonly ClipRange[]): { scores: Float64Array; frames: Int32Array } {
  const n = clips.reduce((s, c) => s + c.end - c.start + 1, 0);
  const out = new Float64Array(n);
  const frames = new Int32Array(n);
  let k = 0;
  for (const c of clips) {
    if (c.end >= scores.length) throw new RangeError(`minMaxPerClip: clip ${c.name} ends at ${c.end} but there are ${scores.length} scores`);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = c.start; i <= c.end; i++) {
      const v = scores[i]!;
      if (Number.isNaN(v)) throw new RangeError(`minMaxPerClip: score ${i} is NaN`);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = hi - lo;
    for (let i = c.start; i <= c.end; i++, k++) {
      const v = scores[i]!;
      // Infinite scores keep their order: +∞ → 1, −∞ → 0.
      out[k] = span > 0 && Number.isFinite(span) ? (v - lo) / span : v === Infinity && lo < Infinity ? 1 : 0;
      frames[k] = i;
    }
  }
  return { scores: out, frames };
}

/** Per-clip protocol AUC overall and per event kind (comparison only; see the file header). */
export function perClipAuc(scores: ArrayLike<number>, truth: TruthLike, clips: readonly ClipRange[]): KindAuc {
  const { scores: s, frames } = minMaxPerClip(scores, clips);
  const anomaly = new Uint8Array(frames.length);
  const kind = new Array<string>(frames.length);
  frames.forEach((f, k) => {
    anomaly[k] = truth.anomaly[f] ? 1 : 0;
    kind[k] = truth.kind[f] ?? '';
  });
  return aucByKind(s, { anomaly, kind });
}

/** A detected event (the stored events table), frames inclusive. */
export interface DetectedSpan {
  start: number;
  end: number;
}

export interface DetectionCounts {
  frames: number;
  anomalousFrames: number;
  normalFrames: number;
  /** Normal frames with combined score ≥ threshold, over normal frames (NaN without normal frames). */
  falsePositiveRate: number;
  /** Truth events (runs of anomalous frames of one kind, split at clip boundaries). */
  truthEvents: number;
  /** Truth events that a detected event overlaps. */
  eventsFound: number;
  eventRecall: number;
  /** Detected events overlapping these frames. */
  detectedEvents: number;
  /** Detected events overlapping no anomalous frame. */
  falseAlarms: number;
  /** Hours of normal frames (normal frames / sampled fps / 3600). */
  normalHours: number;
  falseAlarmsPerHour: number;
}

export interface ClipDetection extends DetectionCounts {
  clip: string;
  /** The clip has anomalous frames and a detected event overlaps one of them (null: no anomalous frame). */
  found: boolean | null;
  /** ROC-AUC of the score within this clip alone (NaN when the clip has one class). */
  auc: number;
}

export interface DetectionReport extends DetectionCounts {
  /** Anomalous clips in which a detected event overlaps an anomalous frame, over anomalous clips. */
  clipRecall: number;
  anomalousClips: number;
  clipsFound: number;
  clips: ClipDetection[];
}

/**
 * Detection at the app's own threshold, pooled and per clip. `scores`, `truth` and `fps` (sampled frames
 * per second of each frame's video) are per frame of the pooled test frames; `clips` partition them;
 * `events` are the stored detected events in the same frame numbering. A detected event spanning a clip
 * boundary counts once pooled and in each clip it overlaps (as a false alarm there when its part in that
 * clip overlaps no anomalous frame of it).
 */
export function detectionReport(o: {
  scores: ArrayLike<number>;
  truth: TruthLike;
  clips: readonly ClipRange[];
  events: readonly DetectedSpan[];
  threshold: number;
  fps: number | ArrayLike<number>;
}): DetectionReport {
  const { scores, truth, clips, events, threshold } = o;
  const n = scores.length;
  if (truth.anomaly.length !== n) throw new RangeError(`detectionReport: ${n} scores but ${truth.anomaly.length} truth frames`);
  if (Number.isNaN(threshold)) throw new RangeError('detectionReport: threshold is NaN');
  checkClipsCover(clips, n, 'detectionReport');
  const fpsAt = (i: number): number => {
    const f = typeof o.fps === 'number' ? o.fps : o.fps[i]!;
    if (!(f > 0) || !Number.isFinite(f)) throw new RangeError(`detectionReport: frame ${i} has sampled fps ${f}`);
    return f;
  };
  for (const e of events) if (!(e.start >= 0 && e.end >= e.start && e.end < n)) throw new RangeError(`detectionReport: event ${e.start}..${e.end} is outside frames 0..${n - 1}`);
  // Prefix count of anomalous frames: "does [a, b] hold an anomalous frame" in O(1).
  const anomBefore = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) anomBefore[i + 1] = anomBefore[i]! + (truth.anomaly[i] ? 1 : 0);
  const anomIn = (a: number, b: number) => anomBefore[b + 1]! - anomBefore[a]! > 0;

  const count = (a: number, b: number, pooled: boolean): DetectionCounts => {
    let normal = 0;
    let fp = 0;
    let hours = 0;
    for (let i = a; i <= b; i++) {
      if (truth.anomaly[i]) continue;
      normal++;
      if (Number.isNaN(scores[i]!)) throw new RangeError(`detectionReport: score ${i} is NaN`);
      if (scores[i]! >= threshold) fp++;
      hours += 1 / fpsAt(i) / 3600;
    }
    // Truth events inside [a, b], split at every clip boundary.
    let truthEvents = 0;
    let found = 0;
    for (const c of clips) {
      if (c.end < a || c.start > b) continue;
      const s = Math.max(a, c.start);
      const e = Math.min(b, c.end);
      const sub = sliceTruth(truth, s, e);
      for (const ev of findEvents(sub)) {
        truthEvents++;
        if (events.some((d) => d.start <= ev.end + s && d.end >= ev.start + s)) found++;
      }
    }
    let detected = 0;
    let falseAlarms = 0;
    for (const d of events) {
      if (d.end < a || d.start > b) continue;
      detected++;
      // Pooled: an event is a false alarm when it overlaps no anomalous frame anywhere; per clip: in its part inside the clip.
      const lo = pooled ? d.start : Math.max(a, d.start);
      const hi = pooled ? d.end : Math.min(b, d.end);
      if (!anomIn(lo, hi)) falseAlarms++;
    }
    const anomalous = b - a + 1 - normal;
    return {
      frames: b - a + 1,
      anomalousFrames: anomalous,
      normalFrames: normal,
      falsePositiveRate: normal ? fp / normal : NaN,
      truthEvents,
      eventsFound: found,
      eventRecall: truthEvents ? found / truthEvents : NaN,
      detectedEvents: detected,
      falseAlarms,
      normalHours: hours,
      falseAlarmsPerHour: hours > 0 ? falseAlarms / hours : NaN,
    };
  };

  const perClip: ClipDetection[] = clips.map((c) => {
    const k = count(c.start, c.end, false);
    const hasAnom = anomIn(c.start, c.end);
    const foundClip = hasAnom ? events.some((d) => d.start <= c.end && d.end >= c.start && anomIn(Math.max(c.start, d.start), Math.min(c.end, d.end))) : null;
    const sub = Array.from({ length: c.end - c.start + 1 }, (_, j) => scores[c.start + j]!);
    const lab = Array.from({ length: c.end - c.start + 1 }, (_, j) => (truth.anomaly[c.start + j] ? 1 : 0));
    return { clip: c.name, found: foundClip, auc: rocAuc(sub, lab), ...k };
  });
  const anomalousClips = perClip.filter((c) => c.found !== null).length;
  const clipsFound = perClip.filter((c) => c.found === true).length;
  return { ...count(0, n - 1, true), anomalousClips, clipsFound, clipRecall: anomalousClips ? clipsFound / anomalousClips : NaN, clips: perClip };
}

function sliceTruth(t: TruthLike, a: number, b: number): TruthLike {
  return { anomaly: Array.from({ length: b - a + 1 }, (_, j) => t.anomaly[a + j]!), kind: t.kind.slice(a, b + 1) };
}
