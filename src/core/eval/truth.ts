/**
 * Frame-level ground truth of the benchmark scenes (`truth.csv`, written by shared/bench/make-scene.mjs):
 *
 *     frame,anomaly,event
 *     0,0,
 *     1,1,occlusion
 *
 * `frame` counts from 0 and must be consecutive; `anomaly` is 0 or 1; `event` names the event kind of an
 * anomalous frame and is empty on a normal frame. A leading BOM, CRLF line ends, spaces around a field
 * and trailing blank lines are tolerated; anything else is a TruthFormatError naming the line.
 */

export interface Truth {
  /** 1 where the frame is anomalous, else 0; one entry per frame. */
  anomaly: Uint8Array;
  /** Event kind per frame; '' for a normal frame (and for an anomalous frame whose kind is not given). */
  kind: string[];
  /** Number of frames (= anomaly.length = kind.length). */
  frames: number;
}

export class TruthFormatError extends Error {
  /** 1-based line number in the CSV text, when the error concerns one line. */
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(line === undefined ? `truth.csv: ${message}` : `truth.csv line ${line}: ${message}`);
    this.name = 'TruthFormatError';
    this.line = line;
  }
}

export const TRUTH_HEADER = 'frame,anomaly,event';
const KIND = /^[A-Za-z0-9_.:-]+$/;

export function parseTruthCsv(text: string): Truth {
  if (typeof text !== 'string') throw new TruthFormatError('expected the file text as a string');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new TruthFormatError('the file is empty');
  const header = lines[0]!.split(',').map((s) => s.trim()).join(',');
  if (header !== TRUTH_HEADER) throw new TruthFormatError(`expected the header "${TRUTH_HEADER}", got "${lines[0]!.slice(0, 80)}"`, 1);
  const frames = lines.length - 1;
  if (frames === 0) throw new TruthFormatError('no data rows after the header');

  const anomaly = new Uint8Array(frames);
  const kind: string[] = new Array<string>(frames);
  for (let i = 0; i < frames; i++) {
    const lineNo = i + 2;
    const raw = lines[i + 1]!;
    if (raw.trim() === '') throw new TruthFormatError('blank line inside the data', lineNo);
    const fields = raw.split(',').map((s) => s.trim());
    if (fields.length !== 3) throw new TruthFormatError(`expected 3 fields (frame,anomaly,event), got ${fields.length}: "${raw.slice(0, 80)}"`, lineNo);
    const [f, a, e] = fields as [string, string, string];
    if (!/^\d+$/.test(f)) throw new TruthFormatError(`frame must be a non-negative integer, got "${f}"`, lineNo);
    if (Number(f) !== i) throw new TruthFormatError(`frame numbers must be consecutive from 0: expected ${i}, got ${f}`, lineNo);
    if (a !== '0' && a !== '1') throw new TruthFormatError(`anomaly must be 0 or 1, got "${a}"`, lineNo);
    if (e !== '' && !KIND.test(e)) throw new TruthFormatError(`event must be empty or a name of letters, digits, _ . : -, got "${e.slice(0, 40)}"`, lineNo);
    if (a === '0' && e !== '') throw new TruthFormatError(`a normal frame (anomaly 0) must have an empty event, got "${e}"`, lineNo);
    anomaly[i] = a === '1' ? 1 : 0;
    kind[i] = e;
  }
  return { anomaly, kind, frames };
}

/** The inverse of parseTruthCsv, in make-scene.mjs's exact format (LF line ends, a trailing newline). */
export function formatTruthCsv(truth: { anomaly: ArrayLike<number>; kind: readonly string[] }): string {
  if (truth.anomaly.length !== truth.kind.length) throw new RangeError(`anomaly has ${truth.anomaly.length} frames, kind ${truth.kind.length}`);
  const rows = [TRUTH_HEADER];
  for (let i = 0; i < truth.anomaly.length; i++) rows.push(`${i},${truth.anomaly[i] ? 1 : 0},${truth.kind[i] ?? ''}`);
  return rows.join('\n') + '\n';
}
