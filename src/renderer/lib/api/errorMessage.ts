/** The text to show the analyst for a thrown value (API calls throw real Errors with a message). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
