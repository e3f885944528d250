import { vi, type Mock } from 'vitest';
import type { AppApi } from '../../shared/api.js';
import type { AppInfo, JobInfo, VideoSummary } from '../../shared/domain.js';
import type { AppEventListener, AppEventName, AppEvents } from '../../shared/events.js';
import type { AppClient } from '../lib/api/client.js';

type MockedApi = { [K in keyof AppApi]: Mock<AppApi[K]> };

/** An AppClient for component tests: every API method is a vi.fn(), and `emit` fires events. */
export type MockClient = AppClient &
  MockedApi & {
    emit<K extends AppEventName>(name: K, ...payload: AppEvents[K] extends never ? [] : [AppEvents[K]]): void;
    /** Simulate the event stream reconnecting after a gap. */
    resync(): void;
    listenerCount(name: AppEventName): number;
  };

export function createMockClient(mode: 'electron' | 'browser' = 'browser'): MockClient {
  const listeners = new Map<string, Set<(payload?: unknown) => void>>();
  const resyncListeners = new Set<() => void>();
  const api: MockedApi = {
    getAppInfo: vi.fn<AppApi['getAppInfo']>().mockResolvedValue(appInfo({ mode })),
    listVideos: vi.fn<AppApi['listVideos']>().mockResolvedValue([]),
    getVideo: vi.fn<AppApi['getVideo']>().mockRejectedValue(new Error('not mocked')),
    importVideo: vi.fn<AppApi['importVideo']>().mockResolvedValue({ jobId: 'job-1' }),
    deleteVideo: vi.fn<AppApi['deleteVideo']>().mockResolvedValue(undefined),
    getThumbnailFrames: vi.fn<AppApi['getThumbnailFrames']>().mockResolvedValue([]),
    listJobs: vi.fn<AppApi['listJobs']>().mockResolvedValue([]),
    cancelJob: vi.fn<AppApi['cancelJob']>().mockResolvedValue(undefined),
    retryJob: vi.fn<AppApi['retryJob']>().mockResolvedValue({ jobId: 'retried' }),
    pickVideoFile: vi.fn<AppApi['pickVideoFile']>().mockResolvedValue(null),
    listModels: vi.fn<AppApi['listModels']>().mockResolvedValue([]),
    trainModel: vi.fn<AppApi['trainModel']>().mockResolvedValue({ jobId: 'train-1' }),
    scoreVideo: vi.fn<AppApi['scoreVideo']>().mockResolvedValue({ jobId: 'score-1' }),
    getScores: vi.fn<AppApi['getScores']>().mockRejectedValue(new Error('not scored')),
    listEvents: vi.fn<AppApi['listEvents']>().mockResolvedValue([]),
    getReviewState: vi.fn<AppApi['getReviewState']>().mockImplementation(async (modelId, videoId) => ({ modelId, videoId, threshold: null, reviewedPeaks: [] })),
    setEventReviewed: vi.fn<AppApi['setEventReviewed']>().mockResolvedValue(undefined),
    setReviewThreshold: vi.fn<AppApi['setReviewThreshold']>().mockResolvedValue(undefined),
    listLabels: vi.fn<AppApi['listLabels']>().mockResolvedValue([]),
    createLabel: vi.fn<AppApi['createLabel']>().mockRejectedValue(new Error('not mocked')),
    updateLabel: vi.fn<AppApi['updateLabel']>().mockRejectedValue(new Error('not mocked')),
    deleteLabel: vi.fn<AppApi['deleteLabel']>().mockResolvedValue(undefined),
    listLabelClasses: vi.fn<AppApi['listLabelClasses']>().mockResolvedValue(['normal', 'nuisance', 'incident', 'tamper']),
    getLatentProjection: vi.fn<AppApi['getLatentProjection']>().mockRejectedValue(new Error('not scored')),
    getActiveModel: vi.fn<AppApi['getActiveModel']>().mockResolvedValue(null),
    setActiveModel: vi.fn<AppApi['setActiveModel']>().mockResolvedValue(undefined),
    compareModels: vi.fn<AppApi['compareModels']>().mockResolvedValue({
      videoId: 1, normalFrames: 0, incidentFrames: 0, classFrames: { incident: 0, tamper: 0, nuisance: 0, normal: 0 }, heldOut: null, rows: [], verdicts: [],
    }),
    exportEvents: vi.fn<AppApi['exportEvents']>().mockResolvedValue({ fileName: 'events.csv', mime: 'text/csv', content: '' }),
    exportLabels: vi.fn<AppApi['exportLabels']>().mockResolvedValue({ fileName: 'labels.json', mime: 'application/json', content: '[]' }),
    getIgnoreMask: vi.fn<AppApi['getIgnoreMask']>().mockResolvedValue({ rects: [] }),
    setIgnoreMask: vi.fn<AppApi['setIgnoreMask']>().mockImplementation(async (_videoId, mask) => mask),
    exportClip: vi.fn<AppApi['exportClip']>().mockResolvedValue({ path: '/tmp/exports/clip.mp4', fileName: 'clip.mp4', sizeBytes: 1000 }),
    generateSamples: vi.fn<AppApi['generateSamples']>().mockRejectedValue(new Error('not mocked')),
    latentTraversal: vi.fn<AppApi['latentTraversal']>().mockRejectedValue(new Error('not mocked')),
    getAdaptiveBaseline: vi.fn<AppApi['getAdaptiveBaseline']>().mockResolvedValue({ on: false, windowSec: 300 }),
    setAdaptiveBaseline: vi.fn<AppApi['setAdaptiveBaseline']>().mockImplementation(async (_videoId, setting) => setting),
  };
  return {
    ...api,
    mode,
    frameUrl: (videoId, index) => `/media/frame/${videoId}/${index}.png?token=t`,
    modelViewUrl: (view, modelId, videoId, index) => `/media/${view}/${modelId}/${videoId}/${index}.png?token=t`,
    sourceFrameUrl: (videoId, index) => `/media/source/${videoId}/${index}.png?token=t`,
    exportUrl: (fileName) => `/media/export/${fileName}?token=t`,
    on<K extends AppEventName>(name: K, listener: AppEventListener<K>) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const entry = listener as (payload?: unknown) => void;
      set.add(entry);
      return () => set.delete(entry);
    },
    onResync(listener) {
      resyncListeners.add(listener);
      return () => resyncListeners.delete(listener);
    },
    emit(name, ...payload) {
      for (const listener of [...(listeners.get(name) ?? [])]) listener(payload[0]);
    },
    resync() {
      for (const listener of [...resyncListeners]) listener();
    },
    listenerCount: (name) => listeners.get(name)?.size ?? 0,
  };
}

export function appInfo(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '0.1.0',
    mode: 'browser',
    dataDir: '/tmp/latentwatch',
    ffmpeg: { path: '/usr/bin/ffmpeg', source: 'PATH', version: '6.1' },
    ffmpegError: null,
    canPickFiles: false,
    ...overrides,
  };
}

export function video(overrides: Partial<VideoSummary> = {}): VideoSummary {
  return {
    id: 1,
    path: '/footage/lobby.mp4',
    name: 'lobby.mp4',
    status: 'ready',
    contentHash: 'abc',
    sizeBytes: 5 * 1024 * 1024,
    codec: 'h264',
    width: 640,
    height: 480,
    sourceFps: 25,
    durationSec: 83,
    sampledFps: 25,
    frameSize: 64,
    frameCount: 2075,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function job(overrides: Partial<JobInfo> = {}): JobInfo {
  return {
    id: 'job-1',
    kind: 'ingest',
    title: 'Import lobby.mp4',
    state: 'running',
    progress: { done: 120, total: 480, fraction: 0.25, rate: 24.5, etaSec: 83, stage: 'decoding' },
    error: null,
    result: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}
