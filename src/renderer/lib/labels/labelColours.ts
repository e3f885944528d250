/** One colour per label class: fixed ones for the built-in classes, a stable hue for classes the analyst adds. */
const FIXED: Record<string, string> = {
  normal: '#3ecf8e',
  nuisance: '#8fa3b8',
  incident: '#ff6b6b',
  tamper: '#c77dff',
};

export function labelColour(cls: string): string {
  const fixed = FIXED[cls];
  if (fixed) return fixed;
  let h = 0;
  for (const ch of cls) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return `hsl(${h % 360} 70% 60%)`;
}

/** Label shortcuts: N normal, U nuisance, I incident, T tamper. */
export const LABEL_KEYS: Record<string, string> = { n: 'normal', u: 'nuisance', i: 'incident', t: 'tamper' };
