/**
 * Frame-level evaluation of per-frame anomaly scores against ground truth (shared/bench/README.md):
 * ROC-AUC overall and per event kind, a threshold chosen from training scores only, and event recall /
 * false-positive rate at that threshold. Higher score = more anomalous. Pure functions; NaN scores are
 * rejected (a RangeError), since they would silently poison a rank statistic.
 */

/** Labels: 1/true = anomalous (positive), 0/false = normal (negative). */
export type Labels = ArrayLike<0 | 1 | boolean> | ArrayLike<number>;

/** The parts of a Truth (./truth.ts) these functions need. */
export interface TruthLike {
  anomaly: ArrayLike<number>;
  /** Event kind per frame, '' for a normal frame. */
  kind: readonly string[];
}

function checkScores(scores: ArrayLike<number>, what: string): void {
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`${what}: score ${i} is NaN`);
  }
}

function checkTruth(scores: ArrayLike<number>, truth: TruthLike, what: string): void {
  if (truth.anomaly.length !== scores.length) throw new RangeError(`${what}: ${scores.length} scores but ${truth.anomaly.length} truth frames`);
  if (truth.kind.length !== truth.anomaly.length) throw new RangeError(`${what}: truth has ${truth.anomaly.length} anomaly flags but ${truth.kind.length} kinds`);
}

function toBit(v: unknown, i: number): 0 | 1 {
  if (v === true || v === 1) return 1;
  if (v === false || v === 0) return 0;
  throw new RangeError(`rocAuc: label ${i} must be 0, 1 or a boolean, got ${String(v)}`);
}

/**
 * Frame-level ROC-AUC = P(score of a random positive > score of a random negative) + ½ P(tie), i.e. the
 * Mann–Whitney U statistic with average ranks for ties divided by n₁·n₀. One sort, O(n log n). Computed
 * per tie group as U = Σ_groups pos·(negatives below + ½ negatives in the group), which is exact (a sum
 * of halves), so a constant score gives exactly 0.5. NaN when either class is empty.
 */
export function rocAuc(scores: ArrayLike<number>, labels: Labels): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  checkScores(scores, 'rocAuc');
  const y = new Uint8Array(n);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += y[i] = toBit(labels[i], i);
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;

  const s = Float64Array.from(scores);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => s[a]! - s[b]!);

  let u = 0;
  let negBelow = 0;
  for (let i = 0; i < n; ) {
    const v = s[order[i]!]!;
    let pos = 0;
    let neg = 0;
    let j = i;
    for (; j < n && s[order[j]!] === v; j++) {
      if (y[order[j]!]) pos++;
      else neg++;
    }
    u += pos * (negBelow + neg / 2);
    negBelow += neg;
    i = j;
  }
  return u / (nPos * nNeg);
}

/** `overall` plus one entry per event kind present in the truth. */
export type KindAuc = { overall: number } & Record<string, number>;

/**
 * ROC-AUC overall (every anomalous frame against every normal frame) and per event kind: that kind's
 * frames (positives) against all normal frames (negatives), other kinds' frames left out. Kinds appear in
 * order of first occurrence. Anomalous frames with kind '' count only in `overall`.
 */
export function aucByKind(scores: ArrayLike<number>, truth: TruthLike): KindAuc {
  checkTruth(scores, truth, 'aucByKind');
  const out: KindAuc = { overall: rocAuc(scores, truth.anomaly) };
  const kinds: string[] = [];
  for (let i = 0; i < truth.kind.length; i++) {
    const k = truth.kind[i]!;
    if (truth.anomaly[i] && k !== '' && !kinds.includes(k)) kinds.push(k);
  }
  for (const kind of kinds) {
    if (kind === 'overall') throw new RangeError('aucByKind: an event kind may not be called "overall"');
    const sub: number[] = [];
    const lab: (0 | 1)[] = [];
    for (let i = 0; i < scores.length; i++) {
      if (!truth.anomaly[i]) {
        sub.push(scores[i]!);
        lab.push(0);
      } else if (truth.kind[i] === kind) {
        sub.push(scores[i]!);
        lab.push(1);
      }
    }
    out[kind] = rocAuc(sub, lab);
  }
  return out;
}

/**
 * A threshold from training (normal-only) scores for a target false-positive rate: the empirical
 * (1 − targetFpr) quantile with linear interpolation between order statistics — numpy's default
 * `quantile(..., method='linear')`, R's type 7: with x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎ sorted and h = (n − 1)(1 − fpr),
 * threshold = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋₊₁₎ − x₍⌊h⌋₎). So targetFpr = 0 gives the largest training score,
 * 1 the smallest; for distinct scores about targetFpr·n of the training scores lie strictly above it
 * (atThreshold flags score ≥ threshold, so a score equal to it also counts).
 */
export function thresholdForFpr(trainScores: ArrayLike<number>, targetFpr: number): number {
  const n = trainScores.length;
  if (n === 0) throw new RangeError('thresholdForFpr: no training scores');
  if (!(targetFpr >= 0 && targetFpr <= 1)) throw new RangeError(`thresholdForFpr: targetFpr must be in [0, 1], got ${targetFpr}`);
  checkScores(trainScores, 'thresholdForFpr');
  const x = Float64Array.from(trainScores).sort();
  const h = (n - 1) * (1 - targetFpr);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = x[lo]!;
  const b = x[hi]!;
  return h === lo ? a : a + (h - lo) * (b - a);
}

/** One event: a maximal run of consecutive anomalous frames with the same kind (frames inclusive). */
export interface EventHit {
  kind: string;
  start: number;
  end: number;
  /** At least one of its frames scored ≥ threshold. */
  recalled: boolean;
  /** First frame of the event scoring ≥ threshold, or -1 (its difference from `start` is the latency). */
  firstHit: number;
}

export interface ThresholdReport {
  /** Fraction of events recalled (NaN when there are none). */
  eventRecall: number;
  /** Fraction of normal frames scoring ≥ threshold (NaN when there are none). */
  falsePositiveRate: number;
  /** Fraction of anomalous frames scoring ≥ threshold (NaN when there are none). */
  frameRecall: number;
  events: EventHit[];
}

/** Split anomalous frames into events: maximal runs of consecutive anomalous frames with the same kind. */
export function findEvents(truth: TruthLike): { kind: string; start: number; end: number }[] {
  const events: { kind: string; start: number; end: number }[] = [];
  for (let i = 0; i < truth.anomaly.length; i++) {
    if (!truth.anomaly[i]) continue;
    const kind = truth.kind[i] ?? '';
    const last = events[events.length - 1];
    if (last && last.end === i - 1 && last.kind === kind) last.end = i;
    else events.push({ kind, start: i, end: i });
  }
  return events;
}

/** Event recall, frame recall and false-positive rate when a frame is flagged at score ≥ threshold. */
export function atThreshold(scores: ArrayLike<number>, truth: TruthLike, threshold: number): ThresholdReport {
  checkTruth(scores, truth, 'atThreshold');
  checkScores(scores, 'atThreshold');
  if (Number.isNaN(threshold)) throw new RangeError('atThreshold: threshold is NaN');
  let normal = 0;
  let falsePos = 0;
  let anomalous = 0;
  let hits = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (truth.anomaly[i]) {
      anomalous++;
      if (flagged) hits++;
    } else {
      normal++;
      if (flagged) falsePos++;
    }
  }
  const events: EventHit[] = findEvents(truth).map((e) => {
    let firstHit = -1;
    for (let i = e.start; i <= e.end; i++) {
      if (scores[i]! >= threshold) {
        firstHit = i;
        break;
      }
    }
    return { ...e, recalled: firstHit >= 0, firstHit };
  });
  const recalled = events.filter((e) => e.recalled).length;
  return {
    eventRecall: events.length ? recalled / events.length : NaN,
    falsePositiveRate: normal ? falsePos / normal : NaN,
    frameRecall: anomalous ? hits / anomalous : NaN,
    events,
  };
}
