/**
 * Scores code grids with the exported PixelCNN prior (export-pixelcnn.ts) in onnxruntime-node:
 *
 *   const prior = await OnnxPixelCnnScorer.create(bytes, { threads: 1 });
 *   const { codeNll, nllMap } = await prior.run(codes, count);   // codes [count·H·W], 0..K−1
 *   await prior.dispose();
 *
 * As OnnxVaeScorer, a run blocks the calling thread while ORT works: score in a worker.
 */
import '../onnx/no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { InvalidModelError, type ScorerOptions } from '../onnx/runtime.js';
import { CODE_NLL_MAP_OUTPUT, CODE_NLL_OUTPUT, PIXELCNN_CODES_INPUT } from './export-pixelcnn.js';
import type { CodeScores } from './pixelcnn.js';

export class OnnxPixelCnnScorer {
  /** Grid positions H·W of one code grid. */
  readonly positions: number;
  private session: ort.InferenceSession | null;

  private constructor(session: ort.InferenceSession, positions: number) {
    this.session = session;
    this.positions = positions;
  }

  static async create(model: Uint8Array, opts: ScorerOptions = {}): Promise<OnnxPixelCnnScorer> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
      logSeverityLevel: 3,
    };
    if (opts.threads !== undefined) sessionOptions.intraOpNumThreads = opts.threads;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model, sessionOptions);
    } catch (e) {
      throw new InvalidModelError(`not a valid ONNX model (ONNX Runtime could not load it: ${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
    const input = session.inputMetadata.find((m) => m.name === PIXELCNN_CODES_INPUT);
    const positions = input?.isTensor ? input.shape[1] : undefined;
    if (!input || session.inputNames.length !== 1 || typeof positions !== 'number' || ![CODE_NLL_OUTPUT, CODE_NLL_MAP_OUTPUT].every((o) => session.outputNames.includes(o))) {
      await session.release().catch(() => undefined);
      throw new InvalidModelError(`an ONNX model but not a LatentWatch PixelCNN prior (input "${PIXELCNN_CODES_INPUT}" [N, H·W], outputs ${CODE_NLL_OUTPUT}, ${CODE_NLL_MAP_OUTPUT})`);
    }
    return new OnnxPixelCnnScorer(session, positions);
  }

  /** −log p of `count` code grids given as count·H·W codes (row-major). */
  async run(codes: ArrayLike<number> | BigInt64Array, count: number): Promise<CodeScores> {
    const session = this.session;
    if (!session) throw new Error('OnnxPixelCnnScorer.run after dispose()');
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, not ${count}`);
    if (codes.length !== count * this.positions) throw new RangeError(`${codes.length} codes for ${count} grid(s) of ${this.positions} positions`);
    const data = codes instanceof BigInt64Array ? codes : BigInt64Array.from(Array.prototype.slice.call(codes) as number[], (v) => BigInt(v));
    const out = await session.run({ [PIXELCNN_CODES_INPUT]: new ort.Tensor('int64', data, [count, this.positions]) }, [CODE_NLL_OUTPUT, CODE_NLL_MAP_OUTPUT]);
    return { codeNll: out[CODE_NLL_OUTPUT]!.data as Float32Array, nllMap: out[CODE_NLL_MAP_OUTPUT]!.data as Float32Array };
  }

  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.release();
  }
}
