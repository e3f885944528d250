import { describe, expect, it } from 'vitest';
import { checkClipsCover, ClipsFormatError, detectionReport, minMaxPerClip, parseClipsCsv, perClipAuc } from './clips.js';
import { aucByKind, rocAuc } from './roc.js';

const truthOf = (anomaly: number[], kind?: string[]) => ({ anomaly, kind: kind ?? anomaly.map((a) => (a ? 'x' : '')) });

describe('parseClipsCsv', () => {
  it('reads clip,start,end and the training list format', () => {
    expect(parseClipsCsv('clip,start,end\nA,0,2\r\nB,3,5\n\n')).toEqual([
      { name: 'A', start: 0, end: 2 },
      { name: 'B', start: 3, end: 5 },
    ]);
    expect(parseClipsCsv('clip,n_frames,start_frame_in_train_mp4,end_frame_in_train_mp4\nT1,3,0,2\nT2,2,3,4\n')).toEqual([
      { name: 'T1', start: 0, end: 2 },
      { name: 'T2', start: 3, end: 4 },
    ]);
  });
  it('rejects overlaps, reversed ranges and a bad header', () => {
    expect(() => parseClipsCsv('clip,start,end\nA,0,5\nB,5,8\n')).toThrow(ClipsFormatError);
    expect(() => parseClipsCsv('clip,start,end\nA,4,2\n')).toThrow(/before start/);
    expect(() => parseClipsCsv('name,from,to\nA,0,2\n')).toThrow(/header/);
  });
  it('checkClipsCover wants a partition of the frames', () => {
    const c = parseClipsCsv('clip,start,end\nA,0,2\nB,3,5\n');
    expect(() => checkClipsCover(c, 6)).not.toThrow();
    expect(() => checkClipsCover(c, 7)).toThrow(/7 frames/);
    expect(() => checkClipsCover(parseClipsCsv('clip,start,end\nA,0,2\nB,4,5\n'), 6)).toThrow(/without gaps/);
  });
});

describe('per-clip protocol AUC', () => {
  // Clip A's scores live around 0..1, clip B's around 100..101: pooled, B's normal frames outrank A's anomalies.
  const scores = [0.1, 0.2, 0.9, 1.0, 100.1, 100.2, 100.3, 101.0];
  const anomaly = [0, 0, 1, 1, 0, 0, 0, 1];
  const clips = [
    { name: 'A', start: 0, end: 3 },
    { name: 'B', start: 4, end: 7 },
  ];

  it('scales within each clip: perfect per clip, worse pooled', () => {
    expect(rocAuc(scores, anomaly)).toBeLessThan(0.8);
    expect(perClipAuc(scores, truthOf(anomaly), clips).overall).toBe(1);
  });

  it('equals the AUC of hand-scaled scores, per kind too', () => {
    const scaled = [0, 0.1 / 0.9, 0.8 / 0.9, 1, 0, 0.1 / 0.9, 0.2 / 0.9, 1];
    const kind = ['', '', 'a', 'a', '', '', '', 'b'];
    const mm = minMaxPerClip(scores, clips);
    mm.scores.forEach((v, i) => expect(v).toBeCloseTo(scaled[i]!, 12));
    expect(Array.from(mm.frames)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const noisy = scores.map((s, i) => s + (i === 5 ? 0.95 : 0)); // B: a normal frame now above its anomaly
    const got = perClipAuc(noisy, truthOf(anomaly, kind), clips);
    const want = aucByKind(minMaxPerClip(noisy, clips).scores, { anomaly, kind });
    expect(got).toEqual(want);
    expect(got.overall).toBeLessThan(1);
    expect(got.b).toBeLessThan(1);
  });

  it('maps a constant clip to 0 and rejects NaN', () => {
    expect(Array.from(minMaxPerClip([5, 5, 1, 2], [{ name: 'A', start: 0, end: 1 }, { name: 'B', start: 2, end: 3 }]).scores)).toEqual([0, 0, 0, 1]);
    expect(() => minMaxPerClip([1, NaN], [{ name: 'A', start: 0, end: 1 }])).toThrow(/NaN/);
  });
});

describe('detectionReport', () => {
  // Two clips of 10 frames at 10 fps. A: anomaly at 3..5; B: anomalies at 12..13 (kind p) and 17..18 (kind q).
  const anomaly = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0];
  const kind = anomaly.map((a, i) => (!a ? '' : i < 10 ? 'p' : i < 15 ? 'p' : 'q'));
  const clips = [
    { name: 'A', start: 0, end: 9 },
    { name: 'B', start: 10, end: 19 },
  ];
  const scores = [0, 0, 5, 5, 5, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 5, 5, 0, 0, 0];

  it('counts found events and clips from the detected spans, false alarms per hour of normal frames', () => {
    // Detected: 2..4 overlaps A's anomaly; 7..7 is a false alarm in A; 15..16 in B touches no anomaly.
    const events = [
      { start: 2, end: 4 },
      { start: 7, end: 7 },
      { start: 15, end: 16 },
    ];
    const r = detectionReport({ scores, truth: { anomaly, kind }, clips, events, threshold: 5, fps: 10 });
    expect(r.truthEvents).toBe(3);
    expect(r.eventsFound).toBe(1);
    expect(r.eventRecall).toBeCloseTo(1 / 3, 12);
    expect(r.anomalousClips).toBe(2);
    expect(r.clipsFound).toBe(1);
    expect(r.clipRecall).toBe(0.5);
    expect(r.detectedEvents).toBe(3);
    expect(r.falseAlarms).toBe(2);
    const normal = anomaly.filter((a) => !a).length; // 13 frames
    expect(r.normalFrames).toBe(normal);
    expect(r.normalHours).toBeCloseTo(normal / 10 / 3600, 15);
    expect(r.falseAlarmsPerHour).toBeCloseTo(2 / (normal / 10 / 3600), 6);
    // Normal frames at ≥ 5: 2, 7, 15, 16.
    expect(r.falsePositiveRate).toBeCloseTo(4 / normal, 12);
    const [a, b] = r.clips;
    expect(a).toMatchObject({ clip: 'A', found: true, truthEvents: 1, eventsFound: 1, detectedEvents: 2, falseAlarms: 1, normalFrames: 7 });
    expect(a!.falsePositiveRate).toBeCloseTo(2 / 7, 12);
    expect(b).toMatchObject({ clip: 'B', found: false, truthEvents: 2, eventsFound: 0, detectedEvents: 1, falseAlarms: 1, normalFrames: 6 });
    expect(a!.auc).toBeCloseTo(rocAuc(scores.slice(0, 10), anomaly.slice(0, 10)), 12);
  });

  it('splits a truth event at a clip boundary and counts a spanning detection once pooled', () => {
    const an = [0, 0, 0, 1, 1, 1, 1, 0];
    const cl = [
      { name: 'A', start: 0, end: 4 },
      { name: 'B', start: 5, end: 7 },
    ];
    // One detection 0..5: overlaps A's anomaly (3..4) and B's (5); none in a clip is a false alarm.
    const r = detectionReport({ scores: an, truth: truthOf(an), clips: cl, events: [{ start: 0, end: 5 }], threshold: 1, fps: 25 });
    expect(r.truthEvents).toBe(2);
    expect(r.eventsFound).toBe(2);
    expect(r.detectedEvents).toBe(1);
    expect(r.falseAlarms).toBe(0);
    expect(r.clips.map((c) => c.detectedEvents)).toEqual([1, 1]);
    // The same span at 0..2 + 7..7: two detections, both false alarms; nothing found.
    const r2 = detectionReport({ scores: an, truth: truthOf(an), clips: cl, events: [{ start: 0, end: 2 }, { start: 7, end: 7 }], threshold: 1, fps: 25 });
    expect(r2).toMatchObject({ eventsFound: 0, falseAlarms: 2, clipsFound: 0, clipRecall: 0 });
  });

  it('uses each frame\'s own fps for the hours, and a clip without anomalies is neither found nor missed', () => {
    const an = [0, 0, 0, 0, 1, 0];
    const cl = [
      { name: 'quiet', start: 0, end: 2 },
      { name: 'busy', start: 3, end: 5 },
    ];
    const fps = [1, 1, 1, 2, 2, 2];
    const r = detectionReport({ scores: [0, 0, 0, 0, 0, 0], truth: truthOf(an), clips: cl, events: [{ start: 1, end: 1 }], threshold: 1, fps });
    expect(r.normalHours).toBeCloseTo((3 / 1 + 2 / 2) / 3600, 15);
    expect(r.falseAlarmsPerHour).toBeCloseTo(3600 / 4, 9);
    expect(r.clips[0]!.found).toBeNull();
    expect(r.clips[0]!.falseAlarmsPerHour).toBeCloseTo(1200, 9);
    expect(r.clips[1]!.found).toBe(false);
    expect(r.anomalousClips).toBe(1);
    expect(() => detectionReport({ scores: [0, 0], truth: truthOf([0, 0]), clips: [{ name: 'a', start: 0, end: 0 }], events: [], threshold: 1, fps: 1 })).toThrow(/frames/);
    expect(() => detectionReport({ scores: [0, 0], truth: truthOf([0, 0]), clips: [{ name: 'a', start: 0, end: 1 }], events: [{ start: 1, end: 2 }], threshold: 1, fps: 1 })).toThrow(/outside/);
  });
});
