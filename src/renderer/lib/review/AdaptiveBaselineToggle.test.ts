import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { createMockClient } from '../../testing/mockClient.js';
import { clientContext } from '../api/clientContext.js';
import AdaptiveBaselineToggle from './AdaptiveBaselineToggle.svelte';

describe('AdaptiveBaselineToggle', () => {
  it('shows the video’s setting, switches it through the API, and offers a re-score to apply it', async () => {
    const client = createMockClient();
    client.getAdaptiveBaseline.mockResolvedValue({ on: false, windowSec: 600 });
    const onrescore = vi.fn();
    render(AdaptiveBaselineToggle, { props: { videoId: 7, run: async (a: () => Promise<unknown>) => void (await a()), onrescore }, context: clientContext(client) });
    const box = screen.getByTestId('adaptive-toggle') as HTMLInputElement;
    await waitFor(() => expect(box.disabled).toBe(false));
    expect(client.getAdaptiveBaseline).toHaveBeenCalledWith(7);
    expect(box.checked).toBe(false);
    expect(screen.queryByTestId('adaptive-rescore')).toBeNull();
    await fireEvent.click(box);
    await waitFor(() => expect(client.setAdaptiveBaseline).toHaveBeenCalledWith(7, { on: true, windowSec: 600 }));
    await fireEvent.click(await screen.findByTestId('adaptive-rescore'));
    expect(onrescore).toHaveBeenCalledOnce();
    expect(screen.queryByTestId('adaptive-rescore')).toBeNull();
  });
});
