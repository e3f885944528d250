import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { appInfo, createMockClient, job, type MockClient } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import ImportPanel from './ImportPanel.svelte';

function renderPanel(client: MockClient, canPickFiles = false) {
  return render(ImportPanel, { props: { info: appInfo({ canPickFiles }) }, context: clientContext(client) });
}

function dropFile(file: File) {
  const dataTransfer = { files: [file], types: ['Files'], dropEffect: 'none' };
  return fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer });
}

describe('ImportPanel', () => {
  it('imports the typed path with the default options when Import is clicked', async () => {
    const client = createMockClient();
    renderPanel(client);
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '  /footage/lobby cam.mp4 ' } });
    await fireEvent.click(screen.getByTestId('import-submit'));
    expect(client.importVideo).toHaveBeenCalledWith('/footage/lobby cam.mp4', { size: 64 });
    await waitFor(() => expect((screen.getByTestId('import-path') as HTMLInputElement).value).toBe(''));
  });

  it('imports on Enter and passes a sample rate and frame size when set', async () => {
    const client = createMockClient();
    renderPanel(client);
    await fireEvent.input(screen.getByTestId('import-fps'), { target: { value: '5' } });
    await fireEvent.input(screen.getByTestId('import-size'), { target: { value: '96' } });
    const path = screen.getByTestId('import-path');
    await fireEvent.input(path, { target: { value: '/footage/yard.mkv' } });
    await fireEvent.keyDown(path, { key: 'Enter' });
    expect(client.importVideo).toHaveBeenCalledWith('/footage/yard.mkv', { fps: 5, size: 96 });
  });

  it('shows the thrown error message under the field, and Escape clears it', async () => {
    const client = createMockClient();
    client.importVideo.mockRejectedValue(new Error('No such file: /nope.mp4'));
    renderPanel(client);
    const path = screen.getByTestId('import-path');
    await fireEvent.input(path, { target: { value: '/nope.mp4' } });
    await fireEvent.click(screen.getByTestId('import-submit'));
    const error = await screen.findByTestId('import-error');
    expect(error.textContent).toContain('No such file: /nope.mp4');
    expect((path as HTMLInputElement).value).toBe('/nope.mp4');

    await fireEvent.keyDown(path, { key: 'Escape' });
    expect(screen.queryByTestId('import-error')).toBeNull();
  });

  it('asks for a path instead of calling the app with an empty one', async () => {
    const client = createMockClient();
    renderPanel(client);
    await fireEvent.click(screen.getByTestId('import-submit'));
    expect(screen.getByTestId('import-error').textContent).toMatch(/path/);
    expect(client.importVideo).not.toHaveBeenCalled();
  });

  it('rejects an out-of-range frame size before calling the app', async () => {
    const client = createMockClient();
    renderPanel(client);
    await fireEvent.input(screen.getByTestId('import-size'), { target: { value: '4' } });
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/a.mp4' } });
    await fireEvent.click(screen.getByTestId('import-submit'));
    expect(screen.getByTestId('import-error').textContent).toMatch(/Frame size/);
    expect(client.importVideo).not.toHaveBeenCalled();
  });

  it('browser mode: uploads a dropped file, then imports the uploaded path', async () => {
    const client = createMockClient('browser');
    let uploaded: File | null = null;
    client.uploadFile = async (file) => {
      uploaded = file;
      return '/data/uploads/door.mp4';
    };
    renderPanel(client);
    const file = new File(['x'], 'door.mp4', { type: 'video/mp4' });
    await dropFile(file);
    await waitFor(() => expect(client.importVideo).toHaveBeenCalledWith('/data/uploads/door.mp4', { size: 64 }));
    expect(uploaded).toBe(file);
  });

  it('browser mode: shows an upload failure where the drop happened', async () => {
    const client = createMockClient('browser');
    client.uploadFile = () => Promise.reject(new Error('Upload of door.mp4 failed: disk full'));
    renderPanel(client);
    await dropFile(new File(['x'], 'door.mp4'));
    expect((await screen.findByTestId('import-error')).textContent).toContain('disk full');
    expect(client.importVideo).not.toHaveBeenCalled();
  });

  it('Electron: imports a dropped file by its path on disk', async () => {
    const client = createMockClient('electron');
    client.pathForFile = (file) => `/home/analyst/${file.name}`;
    renderPanel(client);
    await dropFile(new File(['x'], 'gate.mp4'));
    expect(client.importVideo).toHaveBeenCalledWith('/home/analyst/gate.mp4', { size: 64 });
  });

  it('offers "Choose file…" only when the app can show a file dialog', async () => {
    const client = createMockClient('electron');
    client.pickVideoFile.mockResolvedValue('/home/analyst/picked.mp4');
    const { unmount } = renderPanel(client, false);
    expect(screen.queryByText('Choose file…')).toBeNull();
    unmount();

    renderPanel(client, true);
    await fireEvent.click(screen.getByText('Choose file…'));
    await waitFor(() => expect(client.importVideo).toHaveBeenCalledWith('/home/analyst/picked.mp4', { size: 64 }));
  });
});

describe('ImportPanel: status line', () => {
  it('clears "Importing…" once the import job has finished', async () => {
    const client = createMockClient();
    client.importVideo.mockResolvedValue({ jobId: 'job-7' });
    render(ImportPanel, { props: { info: appInfo() }, context: clientContext(client) });
    await fireEvent.input(screen.getByTestId('import-path'), { target: { value: '/footage/lobby.mp4' } });
    await fireEvent.click(screen.getByTestId('import-submit'));
    expect(await screen.findByText(/Importing lobby\.mp4/)).toBeTruthy();
    client.emit('job:update', job({ id: 'job-7', kind: 'ingest', state: 'running' }));
    await Promise.resolve();
    expect(screen.queryByText(/Importing lobby\.mp4/)).not.toBeNull();
    client.emit('job:update', job({ id: 'job-7', kind: 'ingest', state: 'succeeded' }));
    await waitFor(() => expect(screen.queryByText(/Importing lobby\.mp4/)).toBeNull());
  });
});
