/**
 * Chooses the TensorFlow.js backend for training at run time, best first (ARCHITECTURE.md, "Models
 * and runtimes"):
 *
 *   tfjs-node-gpu  @tensorflow/tfjs-node-gpu, where its native library loads and TF sees a CUDA GPU
 *   webgpu         the `webgpu` (Dawn) package with a GPU adapter, plus @tensorflow/tfjs-backend-webgpu
 *   tfjs-node      @tensorflow/tfjs-node, where its native library loads
 *   wasm           @tensorflow/tfjs-backend-wasm (SIMD binary) with LatentWatch's fast conv kernels
 *   cpu            @tensorflow/tfjs-backend-cpu (always there, slow)
 *
 * The optional packages are loaded with guarded dynamic imports (the specifier is a variable so that
 * bundlers leave them alone); a missing package or native library becomes a `reason`, never a crash
 * or a printed stack. tfjs' backend is process-global: selectBackend() switches it for everyone.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FAST_WASM_KERNEL_NAMES, setFastWasmKernels } from './wasm-kernels/index.js';

export { FAST_WASM_KERNEL_NAMES, fastWasmKernelsEnabled, setFastWasmKernels, wasmConvKernelStatus } from './wasm-kernels/index.js';

export type BackendName = 'tfjs-node-gpu' | 'webgpu' | 'tfjs-node' | 'wasm' | 'cpu';

/** Best first. */
export const BACKEND_ORDER: readonly BackendName[] = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'];

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it is unavailable (ok=false), in one line. */
  reason?: string;
}

export interface BackendInfo {
  name: BackendName;
  /** The name tfjs knows the backend by ('tensorflow' for both tfjs-node packages). */
  tfBackend: string;
  /** One line for the CLI/UI: package, version, binary, threads, kernels. */
  detail: string;
  /** What it computes on, for the CLI/UI: 'CPU, 2 cores', 'CUDA GPU', the WebGPU adapter's name. */
  device: string;
  /** True when LatentWatch's fast wasm convolution kernels are registered and in use. */
  fastKernels: boolean;
  /** Every backend considered, in order, up to and including the chosen one. */
  tried: BackendAttempt[];
}

export interface SelectOptions {
  /** wasm only: register the fast conv kernels (default true). */
  fastKernels?: boolean;
}

const TF_NAME: Record<BackendName, string> = {
  'tfjs-node-gpu': 'tensorflow',
  webgpu: 'webgpu',
  'tfjs-node': 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

function isBackendName(s: string): s is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(s);
}

// ------------------------------------------------------------------ guarded loading

type Loaded = { ok: true; mod: Record<string, unknown> } | { ok: false; reason: string };

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  return (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim();
}

/** True when the package itself is missing (not one of its dependencies or files). */
function isNotFound(spec: string, e: unknown): boolean {
  const msg = firstLine(e);
  const names = msg.includes(`'${spec}'`) || msg.includes(`"${spec}"`);
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return names;
  return names && /Cannot find (package|module)|Failed to (load|resolve)/i.test(msg);
}

const loadCache = new Map<string, Promise<Loaded>>();

/** import(spec) that never throws and never prints; results are memoised per process. */
function loadOptional(spec: string): Promise<Loaded> {
  let p = loadCache.get(spec);
  if (!p) {
    p = (async (): Promise<Loaded> => {
      try {
        const mod = (await import(/* @vite-ignore */ spec)) as Record<string, unknown>;
        return { ok: true, mod };
      } catch (e) {
        if (isNotFound(spec, e)) return { ok: false, reason: `${spec} is not installed` };
        const line = firstLine(e);
        if (/tfjs_binding\.node|native addon/i.test(line))
          return { ok: false, reason: `${spec} is installed but its native library is missing (its install step downloads libtensorflow, which did not happen here)` };
        return { ok: false, reason: `${spec} failed to load: ${line}` };
      }
    })();
    loadCache.set(spec, p);
  }
  return p;
}

// ------------------------------------------------------------------ probes

interface Probe {
  ok: boolean;
  reason?: string;
  /** Switches tfjs to this backend; returns the detail line. Only present when ok. */
  activate?: (opts: SelectOptions) => Promise<string>;
  /** What it computes on (BackendInfo.device). */
  device?: string;
  /** Works, but only on a software adapter: automatic selection passes it over with this reason. */
  softwareOnly?: string;
}

const cores = (): number => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

async function setTfBackend(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') returned false`);
  await tf.ready();
}

/** The active backend's name without initialising one as a side effect. */
function currentTfBackend(): string | null {
  return tf.engine().backendName ?? null;
}

/** Loading tfjs-node(-gpu) makes 'tensorflow' the active backend; probes put the old one back. */
async function keepActiveBackend<T>(f: () => Promise<T>): Promise<T> {
  const before = currentTfBackend();
  try {
    return await f();
  } finally {
    if (before && currentTfBackend() !== before) await tf.setBackend(before).catch(() => false);
  }
}

function tensorflowBackend(): { isUsingGpuDevice?: boolean } | undefined {
  return (tf.engine().registry as Record<string, { isUsingGpuDevice?: boolean } | undefined>)['tensorflow'];
}

/**
 * tfjs-node(-gpu) registers all its kernels before it looks for its native addon, so importing a
 * copy whose addon is missing leaves half a package behind (and a second copy then warns about
 * ~170 duplicate kernels). Look for lib/napi-v<N>/tfjs_binding.node first and only import when present.
 */
function tfjsNodePrecheck(pkg: string): string | null {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    return `${pkg} is not installed`;
  }
  const lib = path.join(dir, 'lib');
  const found = existsSync(lib) && readdirSync(lib).some((d) => d.startsWith('napi-v') && existsSync(path.join(lib, d, 'tfjs_binding.node')));
  return found ? null : `${pkg} is installed but its native library is missing (no lib/napi-v*/tfjs_binding.node: its install step downloads libtensorflow from outside the npm registry)`;
}

/** Import a tfjs-node package, muting tfjs' "kernel ... already registered" warnings while it loads. */
async function loadTfjsNode(pkg: string): Promise<Loaded> {
  const pre = tfjsNodePrecheck(pkg);
  if (pre) return { ok: false, reason: pre };
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /^The kernel '.*' for backend 'tensorflow' is already registered/.test(args[0])) return;
    warn(...args);
  };
  try {
    return await keepActiveBackend(() => loadOptional(pkg));
  } finally {
    console.warn = warn;
  }
}

let gpuPackageLoaded = false;

async function probeTfjsNodeGpu(): Promise<Probe> {
  const pkg = '@tensorflow/tfjs-node-gpu';
  const loaded = await loadTfjsNode(pkg);
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  gpuPackageLoaded = true;
  const be = tensorflowBackend();
  if (!be) return { ok: false, reason: `${pkg} loaded but registered no 'tensorflow' backend` };
  if (be.isUsingGpuDevice !== true) return { ok: false, reason: `${pkg} loaded but TensorFlow found no usable CUDA GPU` };
  const version = typeof loaded.mod['version'] === 'object' ? JSON.stringify(loaded.mod['version']) : '';
  return { ok: true, device: 'CUDA GPU (TensorFlow)', activate: async () => (await setTfBackend('tensorflow'), `${pkg} (CUDA GPU) ${version}`.trim()) };
}

async function probeTfjsNode(): Promise<Probe> {
  const pkg = '@tensorflow/tfjs-node';
  if (gpuPackageLoaded) {
    // Both packages register 'tensorflow' and bundle their own libtensorflow; the GPU build runs on
    // the CPU just as well, so use it rather than loading a second copy of TensorFlow.
    return { ok: true, device: `CPU, ${cores()} cores (TensorFlow's own threads)`, activate: async () => (await setTfBackend('tensorflow'), `${pkg} role filled by @tensorflow/tfjs-node-gpu's TensorFlow on the CPU`) };
  }
  const loaded = await loadTfjsNode(pkg);
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  if (!tensorflowBackend()) return { ok: false, reason: `${pkg} loaded but registered no 'tensorflow' backend` };
  return { ok: true, device: `CPU, ${cores()} cores (TensorFlow's own threads)`, activate: async () => (await setTfBackend('tensorflow'), `${pkg} (native TensorFlow, CPU)`) };
}

interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(opts?: Record<string, unknown>): Promise<AdapterLike | null>;
  wgslLanguageFeatures?: unknown;
}

/** Software rasterisers that Dawn may find where there is no GPU (Mesa llvmpipe/lavapipe, SwiftShader). */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|software/i;

interface DawnFound {
  gpu: GpuLike;
  /** requestAdapter options tfjs' own call must be given too (the OpenGL ES fallback is a compatibility-mode adapter). */
  adapterOptions: Record<string, unknown>;
  device: string;
  software: boolean;
}

let dawnCache: Promise<{ ok: true; found: DawnFound } | { ok: false; reason: string }> | null = null;

/**
 * A WebGPU adapter from Dawn, once per process: its default backend first (Vulkan, Metal, D3D12: the
 * real GPU), then on Linux its OpenGL ES backend through headless EGL (EGL_PLATFORM=surfaceless),
 * which on a machine without a GPU is Mesa's llvmpipe, a software rasteriser. That one is good for
 * testing the code a lab GPU runs (the gradient-parity tests) but slower than wasm, so automatic
 * selection passes it over; `selectBackend('webgpu')` still takes it.
 */
function findDawnAdapter(mod: Record<string, unknown>): Promise<{ ok: true; found: DawnFound } | { ok: false; reason: string }> {
  dawnCache ??= (async () => {
    const create = mod['create'];
    const globals = mod['globals'];
    if (typeof create !== 'function') return { ok: false as const, reason: "the 'webgpu' package has no create() export (unknown version)" };
    if (globals && typeof globals === 'object') {
      for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    }
    const attempts: { flags: string[]; options: Record<string, unknown> }[] = [{ flags: [], options: {} }];
    if (process.platform === 'linux') attempts.push({ flags: ['backend=opengles'], options: { featureLevel: 'compatibility' } });
    const errors: string[] = [];
    for (const a of attempts) {
      try {
        if (a.flags.includes('backend=opengles')) process.env['EGL_PLATFORM'] ??= 'surfaceless';
        const gpu = (create as (flags: string[]) => GpuLike)(a.flags);
        const adapter = await gpu.requestAdapter(a.options);
        if (!adapter) continue;
        const info = adapter.info ?? {};
        const name = [info.vendor, info.architecture, info.device, info.description].filter((x) => x && x.trim()).join(' ').trim() || 'unnamed adapter';
        const software = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(name);
        const via = a.flags.length ? ` via Dawn ${a.flags.join(' ')}` : '';
        return { ok: true as const, found: { gpu, adapterOptions: a.options, device: `WebGPU adapter: ${name}${software ? ' (software, no GPU)' : ''}${via}`, software } };
      } catch (e) {
        errors.push(firstLine(e));
      }
    }
    return { ok: false as const, reason: `the 'webgpu' package found no adapter${errors.length ? ` (${errors.join('; ')})` : ''}` };
  })();
  return dawnCache;
}

async function probeWebgpu(): Promise<Probe> {
  const dawn = await loadOptional('webgpu');
  if (!dawn.ok) return { ok: false, reason: dawn.reason };
  const found = await findDawnAdapter(dawn.mod);
  if (!found.ok) return { ok: false, reason: `WebGPU (Dawn): ${found.reason}` };
  const { gpu, adapterOptions, device, software } = found.found;
  // tfjs-backend-webgpu registers itself only when navigator.gpu exists as it loads, and asks it for
  // its adapter: hand it Dawn's, with the options that found one.
  const nav = {
    requestAdapter: (o?: Record<string, unknown>) => gpu.requestAdapter({ ...(o ?? {}), ...adapterOptions }),
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures ?? new Set<string>(),
  };
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu: nav }, configurable: true, writable: true });
  else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: nav, configurable: true });
  const tfWebgpu = await loadOptional('@tensorflow/tfjs-backend-webgpu');
  if (!tfWebgpu.ok) return { ok: false, reason: `a WebGPU adapter exists but ${tfWebgpu.reason}` };
  if (!(tf.engine().registryFactory as Record<string, unknown>)['webgpu'])
    return { ok: false, reason: '@tensorflow/tfjs-backend-webgpu loaded but did not register (navigator.gpu was missing when it first loaded)' };
  return {
    ok: true,
    device,
    ...(software ? { softwareOnly: `${device}: slower than wasm on the CPU, so not chosen automatically (ask for it with backend 'webgpu')` } : {}),
    activate: async () => {
      await setTfBackend('webgpu');
      return `@tensorflow/tfjs-backend-webgpu on Dawn (webgpu package), ${device}`;
    },
  };
}

const WASM_PKG = '@tensorflow/tfjs-backend-wasm';
const WASM_SIMD = 'tfjs-backend-wasm-simd.wasm';
const WASM_PLAIN = 'tfjs-backend-wasm.wasm';

/** Folder of the wasm binaries (node_modules/@tensorflow/tfjs-backend-wasm/dist/), found by module resolution. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve(WASM_PKG)) + path.sep;
}

interface WasmModule {
  setWasmPaths(prefix: string): void;
  getThreadsCount(): number;
  version_wasm?: string;
}

async function probeWasm(): Promise<Probe> {
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return { ok: false, reason: 'this JavaScript runtime has no WebAssembly' };
  const loaded = await loadOptional(WASM_PKG);
  if (!loaded.ok) return { ok: false, reason: loaded.reason };
  const mod = loaded.mod as unknown as WasmModule;
  let dir: string;
  try {
    dir = wasmBinaryDir();
  } catch (e) {
    return { ok: false, reason: `cannot locate ${WASM_PKG}: ${firstLine(e)}` };
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const binary = simd ? WASM_SIMD : WASM_PLAIN;
  if (!existsSync(dir + binary)) return { ok: false, reason: `${binary} not found in ${dir}` };
  return {
    ok: true,
    device: `CPU, ${cores()} core${cores() === 1 ? '' : 's'}`,
    activate: async (opts) => {
      const initialised = !!(tf.engine().registry as Record<string, unknown>)['wasm'];
      if (!initialised) mod.setWasmPaths(dir);
      const fast = opts.fastKernels !== false;
      setFastWasmKernels(fast);
      await setTfBackend('wasm');
      let threads = '?';
      try {
        threads = String(mod.getThreadsCount());
      } catch {
        /* not initialised: cannot happen after setTfBackend */
      }
      const kernels = fast ? `fast kernels: ${FAST_WASM_KERNEL_NAMES.join(', ')}` : 'stock kernels (no Conv2DBackpropFilter: conv filter gradients fail)';
      return `${WASM_PKG} ${mod.version_wasm ?? ''}, ${binary}, ${threads} thread(s), ${kernels}`.replace(/ +,/g, ',');
    },
  };
}

async function probeCpu(): Promise<Probe> {
  return {
    ok: true,
    device: 'CPU, one core (JavaScript)',
    activate: async () => {
      await setTfBackend('cpu');
      // The cpu backend greets Node users with a banner recommending tfjs-node; `tried` already
      // says why tfjs-node was not used, so keep the console clean.
      const be = tf.backend() as unknown as { firstUse?: boolean };
      if (typeof be.firstUse === 'boolean') be.firstUse = false;
      return '@tensorflow/tfjs-backend-cpu (plain JavaScript, slowest)';
    },
  };
}

const PROBES: Record<BackendName, () => Promise<Probe>> = {
  'tfjs-node-gpu': probeTfjsNodeGpu,
  webgpu: probeWebgpu,
  'tfjs-node': probeTfjsNode,
  wasm: probeWasm,
  cpu: probeCpu,
};

async function probe(name: BackendName): Promise<Probe> {
  try {
    return await PROBES[name]();
  } catch (e) {
    return { ok: false, reason: `probe failed: ${firstLine(e)}` };
  }
}

function attempt(name: BackendName, p: Probe): BackendAttempt {
  if (p.ok && p.softwareOnly) return { name, ok: false, reason: p.softwareOnly };
  return p.ok ? { name, ok: true } : { name, ok: false, reason: p.reason ?? 'unavailable' };
}

// ------------------------------------------------------------------ public API

/**
 * Which backends could be used here, in order of preference, with the reason for each one that
 * cannot. Does not switch the active tfjs backend (loading tfjs-node does, and is undone).
 */
export async function availableBackends(): Promise<BackendAttempt[]> {
  const out: BackendAttempt[] = [];
  for (const name of BACKEND_ORDER) out.push(attempt(name, await probe(name)));
  return out;
}

/**
 * Switches tfjs to `prefer`, or (without it) to the best backend that works here. Throws when the
 * preferred backend is unavailable, naming the reason and the backends that are available.
 */
export async function selectBackend(prefer?: BackendName, opts: SelectOptions = {}): Promise<BackendInfo> {
  if (prefer !== undefined && !isBackendName(prefer))
    throw new Error(`Unknown backend '${String(prefer)}'; choose one of ${BACKEND_ORDER.join(', ')}`);
  const candidates = prefer ? [prefer] : BACKEND_ORDER;
  const tried: BackendAttempt[] = [];
  for (const name of candidates) {
    const p = await probe(name);
    let detail: string | undefined;
    let reason = p.reason;
    if (!prefer && p.ok && p.softwareOnly) {
      tried.push({ name, ok: false, reason: p.softwareOnly });
      continue;
    }
    if (p.ok && p.activate) {
      try {
        detail = await p.activate(opts);
      } catch (e) {
        reason = `initialisation failed: ${firstLine(e)}`;
      }
    }
    if (detail !== undefined) {
      tried.push({ name, ok: true });
      const fastKernels = name === 'wasm' && opts.fastKernels !== false;
      return { name, tfBackend: TF_NAME[name], detail, device: p.device ?? 'unknown device', fastKernels, tried };
    }
    tried.push({ name, ok: false, reason: reason ?? 'unavailable' });
  }
  if (prefer) {
    const available = (await availableBackends()).filter((a) => a.ok).map((a) => a.name);
    throw new Error(
      `Backend '${prefer}' is unavailable: ${tried[0]?.reason ?? 'unknown reason'}. ` +
        `Available here: ${available.length ? available.join(', ') : 'none'}.`,
    );
  }
  // Unreachable in practice (cpu always works), but say what happened if it does.
  throw new Error(`No TensorFlow.js backend could be initialised: ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}`);
}

/** One line per attempt, for logs and the CLI: "wasm: chosen — ..." / "tfjs-node: skipped — ...". */
export function describeSelection(info: BackendInfo): string {
  return info.tried
    .map((t) => (t.ok ? `${t.name}: chosen (${info.detail})` : `${t.name}: skipped (${t.reason})`))
    .join('\n');
}
