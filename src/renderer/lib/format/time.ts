/** Clock-style durations for the analyst: "0:07", "12:34", "1:02:03". */
export function formatClock(totalSec: number): string {
  if (!Number.isFinite(totalSec) || totalSec < 0) return '–:––';
  const whole = Math.floor(totalSec);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** Time left on a job, rounded up so it never reads "0:00 left" while work remains: "1:23 left". */
export function formatEta(etaSec: number | null): string | null {
  if (etaSec === null || !Number.isFinite(etaSec) || etaSec < 0) return null;
  return `${formatClock(Math.ceil(etaSec))} left`;
}

/** A frame's position in its video with tenths of a second: "0:03.2", "1:02:03.5". */
export function formatTimestamp(ptsSec: number): string {
  if (!Number.isFinite(ptsSec) || ptsSec < 0) return formatClock(ptsSec);
  const tenths = Math.round(ptsSec * 10);
  return `${formatClock(Math.floor(tenths / 10))}.${tenths % 10}`;
}
