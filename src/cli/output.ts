/** Terminal output shared by the commands: progress lines, clock times, peak memory. */
import type { JobProgress } from '../shared/domain.js';

export const fmtTime = (sec: number | null): string => {
  if (sec === null || !Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function progressPrinter(quiet: boolean): (p: JobProgress) => void {
  let lastLine = 0;
  const tty = process.stderr.isTTY;
  return (p) => {
    if (quiet) return;
    const now = Date.now();
    if (!tty && now - lastLine < 2000 && p.fraction !== 1) return;
    lastLine = now;
    const pct = p.fraction !== null ? `${(p.fraction * 100).toFixed(0).padStart(3)}%` : '   ?';
    const unit = p.stage.startsWith('training') ? 'steps' : 'frames';
    const line = p.total === null && p.done === 0 ? `${p.stage}...` : `${p.stage}: ${pct} ${p.done}${p.total ? `/${p.total}` : ''} ${unit}, ${p.rate.toFixed(0)} frames/s, ETA ${fmtTime(p.etaSec)}`;
    process.stderr.write(tty ? `\r${line.padEnd(79)}` : `${line}\n`);
  };
}

/** Peak resident memory of this process so far, in MiB. */
export const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

export const fmtClock = (sec: number): string => {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s2 = (ms % 60_000) / 1000;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${s2.toFixed(1).padStart(4, '0')}`;
};
