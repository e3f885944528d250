/** Issue 12 item 8: the desktop window's navigation and external-link policy, and the app:// file mapping. */
import { describe, expect, it } from 'vitest';
import { APP_INDEX_URL, appFileFor, DESKTOP_CSP, externalDecision, isAppUrl } from './navigation.js';

describe('desktop navigation policy', () => {
  it('treats only app://latentwatch pages (or the dev server) as the app', () => {
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(isAppUrl('app://latentwatch/assets/x.js')).toBe(true);
    expect(isAppUrl('file:///tmp/index.html')).toBe(false);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://latentwatch/')).toBe(false);
    expect(isAppUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/x', 'http://localhost:5173/')).toBe(false);
  });

  it('opens allowlisted https hosts, asks for other https, refuses every other scheme', () => {
    expect(externalDecision('https://github.com/x/y')).toBe('open');
    expect(externalDecision('https://example.com/')).toBe('ask');
    expect(externalDecision('http://github.com/')).toBe('deny');
    expect(externalDecision('file:///etc/passwd')).toBe('deny');
    expect(externalDecision('smb://host/share')).toBe('deny');
    expect(externalDecision('https://user:pw@github.com/')).toBe('deny');
    expect(externalDecision('not a url')).toBe('deny');
  });

  it('maps app:// URLs to files inside the renderer folder only', () => {
    expect(appFileFor('app://latentwatch/', '/r')).toEqual({ file: '/r/index.html', contentType: 'text/html; charset=utf-8' });
    expect(appFileFor('app://latentwatch/assets/a.js', '/r')?.file).toBe('/r/assets/a.js');
    expect(appFileFor('app://latentwatch/..%2f..%2fetc/passwd', '/r')).toBeNull();
    expect(appFileFor('app://latentwatch/%E0%A4%A', '/r')).toBeNull();
    expect(appFileFor('app://other/index.html', '/r')).toBeNull();
  });

  it('limits connect-src to the app itself', () => {
    expect(DESKTOP_CSP).toMatch(/connect-src 'self';/);
    expect(DESKTOP_CSP).not.toMatch(/ws:|wss:|https?:/);
  });
});
