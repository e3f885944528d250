import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_STORAGE_KEY } from './sessionToken.js';
import { createWebClient, TOKEN_HEADER } from './webClient.js';

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('web client', () => {
  let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>;

  beforeEach(() => {
    sessionStorage.clear();
    window.history.replaceState(null, '', '/?token=s3cr%2Bt&view=jobs#top');
    fetchMock = vi.fn<typeof fetch>();
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps the token from ?token= in sessionStorage and strips it from the visible URL', () => {
    createWebClient();
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('s3cr+t');
    expect(window.location.search).toBe('?view=jobs');
    expect(window.location.hash).toBe('#top');

    // A reload has no token in the URL: it comes back from sessionStorage.
    const client = createWebClient();
    expect(client.frameUrl(3, 7)).toBe('/media/frame/3/7.png?token=s3cr%2Bt');
  });

  it('POSTs {args} with the token header and returns the envelope value', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ ok: true, value: { jobId: 'j1' } }));
    const client = createWebClient();
    await expect(client.importVideo('/footage/a b.mp4', { size: 64 })).resolves.toEqual({ jobId: 'j1' });

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/importVideo');
    expect(init?.method).toBe('POST');
    const headers = init?.headers as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
    expect(headers[TOKEN_HEADER]).toBe('s3cr+t');
    expect(JSON.parse(String(init?.body))).toEqual({ args: ['/footage/a b.mp4', { size: 64 }] });
  });

  it('drops trailing undefined arguments instead of sending null', async () => {
    fetchMock.mockImplementation(async () => jsonResponse({ ok: true, value: { jobId: 'j2' } }));
    const client = createWebClient();
    await client.importVideo('/a.mp4', undefined);
    await client.listJobs();
    expect(JSON.parse(String(fetchMock.mock.calls[0]![1]?.body))).toEqual({ args: ['/a.mp4'] });
    expect(JSON.parse(String(fetchMock.mock.calls[1]![1]?.body))).toEqual({ args: [] });
  });

  it('throws a real Error with the name and message of an {ok:false} envelope', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ ok: false, error: { name: 'NotFoundError', message: 'No video 9' } }, 404));
    const client = createWebClient();
    const error = await client.getVideo(9).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('No video 9');
    expect((error as Error).name).toBe('NotFoundError');
  });

  it('turns a non-JSON HTTP error into a clear Error', async () => {
    fetchMock.mockResolvedValue(new Response('Bad Gateway', { status: 502, statusText: 'Bad Gateway' }));
    const client = createWebClient();
    await expect(client.listVideos()).rejects.toThrow(/listVideos failed: HTTP 502/);
  });

  it('rejects JSON that is not an envelope', async () => {
    fetchMock.mockResolvedValue(jsonResponse([1, 2, 3]));
    const client = createWebClient();
    await expect(client.listVideos()).rejects.toThrow(/not an envelope/);
  });

  it('explains a missing token instead of calling the server', async () => {
    window.history.replaceState(null, '', '/');
    const client = createWebClient();
    await expect(client.listVideos()).rejects.toThrow(/No access token/);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('uploads a file as the raw body and resolves the stored path', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ ok: true, value: { path: '/data/uploads/cam 1.mp4' } }));
    const client = createWebClient();
    const file = new File([new Uint8Array([1, 2, 3])], 'cam 1.mp4', { type: 'video/mp4' });
    await expect(client.uploadFile!(file)).resolves.toBe('/data/uploads/cam 1.mp4');
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/upload?name=cam%201.mp4');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe(file);
    expect((init?.headers as Record<string, string>)[TOKEN_HEADER]).toBe('s3cr+t');
  });

  it('surfaces a failed upload as an Error with the server message', async () => {
    fetchMock.mockResolvedValue(jsonResponse({ ok: false, error: { name: 'Error', message: 'disk full' } }, 500));
    const client = createWebClient();
    await expect(client.uploadFile!(new File(['x'], 'a.mp4'))).rejects.toThrow('disk full');
  });
});
