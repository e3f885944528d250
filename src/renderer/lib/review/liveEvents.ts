import type { ChangeEvent, ScoreSeries } from '../../../shared/domain.js';
import { detectEvents, eventOptionsAt } from '../../../shared/event-detection.js';

/** Events of a scored video at a threshold the analyst is dragging, by the same rules the app stores them with. */
export function liveEvents(s: ScoreSeries, threshold: number): ChangeEvent[] {
  return detectEvents(s.combined, eventOptionsAt(s, threshold)).map((sp, k) => ({
    id: -(k + 1),
    modelId: s.modelId,
    videoId: s.videoId,
    startIdx: sp.start,
    endIdx: sp.end,
    peakIdx: sp.peak,
    peakScore: sp.peakScore,
    startSec: s.ptsSec[sp.start] ?? NaN,
    endSec: s.ptsSec[sp.end] ?? NaN,
    threshold,
  }));
}
