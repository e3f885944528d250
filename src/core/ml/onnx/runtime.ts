/**
 * Scores frames with an exported VAE (export-vae.ts) in onnxruntime-node.
 *
 *   const scorer = await OnnxVaeScorer.create(bytesOrPath, { threads: 2 });
 *   const s = await scorer.run(frameBytes, count);           // scores only (default)
 *   const f = await scorer.run(frameBytes, count, { full: true }); // + recon and err_map
 *   await scorer.dispose();
 *
 * Note: onnxruntime-node 1.30 runs a session synchronously on the calling JS thread (the promise
 * only defers it with setImmediate), so a batch blocks that thread's event loop while it runs
 * (~0.1 s for 64 frames of the default model on one core). Score in a worker thread. Two sessions
 * on one JS thread do not run in parallel; use `threads` (ORT's intra-op pool) instead.
 */
import { readFile } from 'node:fs/promises';
import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { ONNX_INPUT, ONNX_OUTPUTS, ONNX_SCORE_OUTPUTS, type OnnxOutputName } from './export-vae.js';

/** The bytes (or file) are not an ONNX model, or not one this scorer can run. */
export class InvalidModelError extends Error {
  override readonly name = 'InvalidModelError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface ScorerOptions {
  /**
   * Intra-op threads (default: ORT's choice, one per core). On a 2-core machine that also decodes
   * video, 1 is often as fast as 2: ORT's parallel loops stall when a worker is descheduled.
   */
  threads?: number;
  /** ORT graph optimisations (default 'all'). */
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** Let idle ORT worker threads spin-wait for work (default: ORT's default, true). */
  allowSpinning?: boolean;
}

export interface RunOptions {
  /** Also fetch the per-pixel outputs recon and err_map (large: S·S·(C+1) floats per frame). */
  full?: boolean;
}

/** Per-frame results, row-major with the frame index first. */
export interface VaeScores {
  /** [count, L] */
  mu: Float32Array;
  /** [count, L] */
  logvar: Float32Array;
  /** [count, S, S, C] in 0..1; only with { full: true }. */
  recon?: Float32Array;
  /** [count, S, S]; only with { full: true }. */
  errMap?: Float32Array;
  /** [count, G, G], G = S / 8. */
  patchErr: Float32Array;
  /** [count] */
  reconMse: Float32Array;
  /** [count] mean |Laplacian| of the input frame. */
  sharpness: Float32Array;
  /** [count] */
  kl: Float32Array;
  /** [count] */
  nll: Float32Array;
  /** [count], deterministic (z = μ) approximation, see exportVaeToOnnx. */
  elbo: Float32Array;
  /** [count, G²] code of each grid position; only for a VQ-VAE graph (export-vq.ts). */
  codes?: Int32Array;
  /** [count] −log p(codes) under a PixelCNN prior; only for a graph with the prior appended (ml/pixelcnn). */
  codeNll?: Float32Array;
  /** [count, G, G] −log p of each position's code given those before it; only with { full: true } and the prior. */
  codeNllMap?: Float32Array;
}

const FIELD: Record<OnnxOutputName, keyof VaeScores> = {
  mu: 'mu',
  logvar: 'logvar',
  recon: 'recon',
  err_map: 'errMap',
  patch_err: 'patchErr',
  recon_mse: 'reconMse',
  sharpness: 'sharpness',
  kl: 'kl',
  nll: 'nll',
  elbo: 'elbo',
};

function describe(model: Uint8Array | string): string {
  return typeof model === 'string' ? `"${model}"` : `the ${model.byteLength}-byte buffer`;
}

export class OnnxVaeScorer {
  /** Picture side S, channels C, latent size L and patch grid G of the loaded model. */
  readonly inputSize: number;
  readonly channels: number;
  readonly latentDim: number;
  readonly patchGrid: number;
  /** Bytes of one frame: S·S·C. */
  readonly frameBytes: number;
  private session: ort.InferenceSession | null;

  private constructor(session: ort.InferenceSession, s: number, c: number, l: number, g: number) {
    this.session = session;
    this.inputSize = s;
    this.channels = c;
    this.latentDim = l;
    this.patchGrid = g;
    this.frameBytes = s * s * c;
  }

  /**
   * Loads a model from bytes or a file path. Throws InvalidModelError when the content is not an
   * ONNX model, or is one without the scorer's input and outputs. File-system errors (a missing
   * file) are passed through unchanged.
   */
  static async create(model: Uint8Array | string, opts: ScorerOptions = {}): Promise<OnnxVaeScorer> {
    const what = describe(model);
    const bytes = typeof model === 'string' ? new Uint8Array(await readFile(model)) : model;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('model must be a Uint8Array or a file path');
    if (bytes.byteLength === 0) throw new InvalidModelError(`${what} is not a valid ONNX model: it is empty`);
    if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1))
      throw new RangeError(`threads must be a positive integer, not ${opts.threads}`);

    const sessionOptions: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
      logSeverityLevel: 3,
    };
    if (opts.threads !== undefined) sessionOptions.intraOpNumThreads = opts.threads;
    if (opts.allowSpinning !== undefined) sessionOptions.extra = { session: { intra_op: { allow_spinning: opts.allowSpinning ? '1' : '0' } } };

    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new InvalidModelError(`${what} is not a valid ONNX model (ONNX Runtime could not load it: ${reason})`, { cause: e });
    }

    // It is ONNX; check it is a scorer this class understands.
    const fail = async (why: string): Promise<never> => {
      await session.release().catch(() => undefined);
      throw new InvalidModelError(`${what} is an ONNX model but not a LatentWatch VAE scorer: ${why}`);
    };
    const input = session.inputMetadata.find((m) => m.name === ONNX_INPUT);
    if (!input || session.inputNames.length !== 1) return fail(`expected one input "${ONNX_INPUT}", found [${session.inputNames.join(', ')}]`);
    if (!input.isTensor || input.type !== 'uint8') return fail(`input "${ONNX_INPUT}" must be a uint8 tensor`);
    const [, h, w, c] = input.shape;
    if (input.shape.length !== 4 || typeof h !== 'number' || h !== w || typeof c !== 'number' || h < 1 || c < 1)
      return fail(`input "${ONNX_INPUT}" must be [N, S, S, C], not [${input.shape.join(', ')}]`);
    const missing = ONNX_OUTPUTS.filter((o) => !session.outputNames.includes(o));
    if (missing.length) return fail(`missing outputs ${missing.join(', ')}`);
    const shapeOf = (name: string): ReadonlyArray<number | string> => {
      const m = session.outputMetadata.find((o) => o.name === name);
      return m && m.isTensor ? m.shape : [];
    };
    const l = shapeOf('mu')[1];
    const g = shapeOf('patch_err')[1];
    if (typeof l !== 'number' || typeof g !== 'number') return fail('outputs mu / patch_err have no static size');
    return new OnnxVaeScorer(session, h, c, l, g);
  }

  /**
   * Scores `count` frames given as one buffer of uint8 NHWC pixels (count·S·S·C bytes, frame after
   * frame, rows top to bottom, channels interleaved). Scores only unless { full: true }.
   */
  async run(frames: Uint8Array, count: number, opts: RunOptions = {}): Promise<VaeScores> {
    const session = this.session;
    if (!session) throw new Error('OnnxVaeScorer.run after dispose()');
    if (!(frames instanceof Uint8Array)) throw new TypeError('frames must be a Uint8Array of uint8 NHWC pixels');
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, not ${count}`);
    const S = this.inputSize;
    const expected = count * this.frameBytes;
    if (frames.byteLength !== expected)
      throw new RangeError(
        `frames has ${frames.byteLength} bytes; ${count} frame(s) of ${S}x${S}x${this.channels} uint8 need ${expected} (${this.frameBytes} per frame)`,
      );
    const input = new ort.Tensor('uint8', frames, [count, S, S, this.channels]);
    const names: readonly OnnxOutputName[] = opts.full ? ONNX_OUTPUTS : ONNX_SCORE_OUTPUTS;
    const withCodes = session.outputNames.includes('codes');
    // A VQ-VAE graph with the PixelCNN prior appended (ml/pixelcnn/export-pixelcnn.ts) also gives code_nll (and the per-position map).
    const withPrior = session.outputNames.includes('code_nll');
    const extra = [...(withCodes ? ['codes'] : []), ...(withPrior ? ['code_nll', ...(opts.full ? ['code_nll_map'] : [])] : [])];
    const out = await session.run({ [ONNX_INPUT]: input }, [...names, ...extra]);
    const res: Partial<Record<keyof VaeScores, Float32Array>> = {};
    for (const n of names) {
      const t = out[n];
      if (!t || !(t.data instanceof Float32Array)) throw new Error(`ONNX Runtime returned no float output ${n}`);
      res[FIELD[n]] = t.data;
    }
    const scores = res as unknown as VaeScores;
    if (withCodes) scores.codes = Int32Array.from(out['codes']!.data as BigInt64Array, (v) => Number(v));
    if (withPrior) scores.codeNll = out['code_nll']!.data as Float32Array;
    if (withPrior && opts.full) scores.codeNllMap = out['code_nll_map']!.data as Float32Array;
    return scores;
  }

  /** Releases the ORT session; run() fails afterwards. Safe to call twice. */
  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.release();
  }
}
