/** Runs a baseline scorer of export-baseline.ts in onnxruntime-node: uint8 NHWC frames -> one score a frame. */
import './no-telemetry.js';
import * as ort from 'onnxruntime-node';
import { BASELINE_OUTPUT } from './export-baseline.js';
import { ONNX_INPUT } from './export-vae.js';

export class OnnxBaselineScorer {
  private constructor(
    private session: ort.InferenceSession | null,
    readonly inputSize: number,
  ) {}

  static async create(bytes: Uint8Array, inputSize: number, threads?: number): Promise<OnnxBaselineScorer> {
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', logSeverityLevel: 3, ...(threads ? { intraOpNumThreads: threads } : {}) });
    return new OnnxBaselineScorer(session, inputSize);
  }

  async run(frames: Uint8Array, count: number): Promise<Float32Array> {
    if (!this.session) throw new Error('OnnxBaselineScorer.run after dispose()');
    const S = this.inputSize;
    if (frames.byteLength !== count * S * S * 3) throw new RangeError(`frames has ${frames.byteLength} bytes, ${count} frames need ${count * S * S * 3}`);
    const out = await this.session.run({ [ONNX_INPUT]: new ort.Tensor('uint8', frames, [count, S, S, 3]) }, [BASELINE_OUTPUT]);
    return out[BASELINE_OUTPUT]!.data as Float32Array;
  }

  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) await s.release();
  }
}
