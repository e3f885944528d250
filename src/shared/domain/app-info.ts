/** What the app tells the analyst about itself. */

export interface AppInfo {
  version: string;
  /** 'electron' for the desktop shell, 'browser' for src/server. */
  mode: 'electron' | 'browser';
  dataDir: string;
  ffmpeg: { path: string; source: string; version: string } | null;
  /** Where ffmpeg could not be found: what to do about it. */
  ffmpegError: string | null;
  /** Whether a native file dialog is available (Electron only). */
  canPickFiles: boolean;
}
