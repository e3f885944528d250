/** sessionStorage key that keeps the browser-mode access token for this tab. */
export const TOKEN_STORAGE_KEY = 'latentwatch.token';

/**
 * The browser-mode access token. On first load it arrives as `?token=` in the address; it is kept in
 * sessionStorage (so reloads work) and removed from the visible URL (so it is not bookmarked,
 * shared in a screenshot, or sent on as a referrer).
 */
export function takeSessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storeToken(fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return readStoredToken();
}

function storeToken(token: string): void {
  try {
    window.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch (e) {
    // Storage can be disabled by policy; the token still works until the tab reloads.
    console.warn('LatentWatch: could not keep the access token in sessionStorage', e);
  }
}

function readStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}
