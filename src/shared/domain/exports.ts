/** Files made for the analyst to save. */

/** Formats a video's events export to, and its labels. */
export const EVENT_EXPORT_FORMATS = ['csv', 'json'] as const;
export type EventExportFormat = (typeof EVENT_EXPORT_FORMATS)[number];
export const LABEL_EXPORT_FORMATS = ['json', 'label-studio'] as const;
export type LabelExportFormat = (typeof LABEL_EXPORT_FORMATS)[number];

/** A file made for the analyst to save: text content, its suggested name and type. */
export interface ExportFile {
  fileName: string;
  mime: string;
  content: string;
}

/** An mp4 cut from the source video, written under the data folder's exports/. */
export interface ExportedClip {
  path: string;
  fileName: string;
  sizeBytes: number;
}
