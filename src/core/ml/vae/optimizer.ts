/**
 * The optimizer and the schedules of a training run. Adam is implemented here rather than taken from
 * tf.train, so its moments and step count can be saved in the checkpoint and a resumed run continues
 * with exactly the numbers of one that never stopped.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamState, NamedArray } from './checkpoint.js';
import type { WeightSpec } from './spec.js';

/** β for a step: linear from 0 over the warm-up, measured in (fractional) epochs. */
export function betaAt(beta: number, klWarmupEpochs: number, epoch: number, step: number, stepsPerEpoch: number): number {
  if (klWarmupEpochs <= 0) return beta;
  return beta * Math.min(1, (epoch + step / stepsPerEpoch) / klWarmupEpochs);
}

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Adam (Kingma & Ba) over named weights; the first and second moments live as tensors here. */
export class Adam {
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();
  /** Updates done so far (t in the bias correction). */
  private step: number;

  /** Moments from `from` (a checkpoint's), zero for any weight it lacks. */
  constructor(
    private readonly specs: ReadonlyArray<Pick<WeightSpec, 'name' | 'shape'>>,
    private readonly s: AdamSettings,
    from: AdamState | null,
  ) {
    const fromArrays = (arrs: NamedArray[] | undefined, name: string, shape: number[]): tf.Tensor => {
      const a = arrs?.find((x) => x.name === name);
      return a ? tf.tensor(a.data, a.shape, 'float32') : tf.zeros(shape);
    };
    for (const sp of specs) {
      this.m.set(sp.name, fromArrays(from?.m, sp.name, sp.shape));
      this.v.set(sp.name, fromArrays(from?.v, sp.name, sp.shape));
    }
    this.step = from?.step ?? 0;
  }

  /** One update of `vars` (keyed by weight name) from `grads` (keyed by variable name); bias correction in double precision on the host. */
  apply(vars: Record<string, tf.Variable>, grads: tf.NamedTensorMap): void {
    const { learningRate, beta1, beta2, epsilon } = this.s;
    this.step++;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      for (const sp of this.specs) {
        const w = vars[sp.name]!;
        const g = grads[w.name];
        if (!g) continue; // a weight the loss does not use (cannot happen with spec.ts)
        const m1 = tf.add(tf.mul(beta1, this.m.get(sp.name)!), tf.mul(1 - beta1, g));
        const v1 = tf.add(tf.mul(beta2, this.v.get(sp.name)!), tf.mul(1 - beta2, tf.square(g)));
        const upd = tf.div(tf.mul(learningRate / c1, m1), tf.add(tf.sqrt(tf.div(v1, c2)), epsilon));
        w.assign(tf.sub(w, upd));
        this.m.get(sp.name)!.dispose();
        this.v.get(sp.name)!.dispose();
        this.m.set(sp.name, tf.keep(m1));
        this.v.set(sp.name, tf.keep(v1));
      }
    });
  }

  /** The state for a checkpoint (read asynchronously: a GPU backend cannot read synchronously). */
  async state(): Promise<AdamState> {
    const read = (t: Map<string, tf.Tensor>): Promise<NamedArray[]> =>
      Promise.all(this.specs.map(async (sp) => ({ name: sp.name, shape: sp.shape, data: Float32Array.from((await t.get(sp.name)!.data()) as Float32Array) })));
    const { beta1, beta2, epsilon } = this.s;
    return { step: this.step, beta1, beta2, epsilon, m: await read(this.m), v: await read(this.v) };
  }

  dispose(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
  }
}
