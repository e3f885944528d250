/** File sizes in binary units, as an analyst reads them: "812 B", "4.2 MiB", "1.1 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A frame rate or throughput with at most two decimals and no trailing zeros: "25", "29.97", "123". */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec) || perSec < 0) return '?';
  if (perSec >= 100) return perSec.toFixed(0);
  return perSec.toFixed(2).replace(/\.?0+$/, '');
}
