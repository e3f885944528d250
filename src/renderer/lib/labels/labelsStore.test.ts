import { describe, expect, it } from 'vitest';
import type { Label, LabelInput, LabelPatch } from '../../../shared/domain.js';
import { createMockClient } from '../../testing/mockClient.js';
import { LabelsStore } from './labelsStore.svelte.js';

/** A mock client backed by an in-memory label table, so undo can be checked against real state. */
function backed() {
  const client = createMockClient();
  let next = 1;
  const rows = new Map<number, Label>();
  const make = (i: LabelInput): Label => ({ id: next++, videoId: i.videoId, startIdx: i.startIdx, endIdx: i.endIdx, cls: i.cls, note: i.note ?? '', createdAt: '', updatedAt: '' });
  client.listLabels.mockImplementation(async () => [...rows.values()].sort((a, b) => a.startIdx - b.startIdx));
  client.createLabel.mockImplementation(async (i: LabelInput) => {
    const l = make(i);
    rows.set(l.id, l);
    return l;
  });
  client.updateLabel.mockImplementation(async (id: number, p: LabelPatch) => {
    const l = { ...rows.get(id)!, ...p };
    rows.set(id, l);
    return l;
  });
  client.deleteLabel.mockImplementation(async (id: number) => void rows.delete(id));
  return { client, rows };
}

describe('LabelsStore', () => {
  it('undoes create, edit and delete in reverse order, following a re-created label to its new id', async () => {
    const { client, rows } = backed();
    const store = new LabelsStore(client);
    await store.load(1);
    await store.create({ videoId: 1, startIdx: 5, endIdx: 9, cls: 'nuisance' });
    await store.update(store.labels[0]!, { cls: 'incident', note: 'door' });
    await store.remove(store.labels[0]!);
    expect(rows.size).toBe(0);
    await store.undo(); // the delete: comes back (new id 2) as it was, incident
    expect(store.labels.map((l) => [l.id, l.cls, l.note])).toEqual([[2, 'incident', 'door']]);
    await store.undo(); // the edit: applied to the re-created label
    expect(store.labels.map((l) => [l.id, l.cls, l.note])).toEqual([[2, 'nuisance', '']]);
    await store.undo(); // the create
    expect(store.labels).toEqual([]);
    expect(store.canUndo).toBe(false);
    expect(await store.undo()).toBe(false);
  });

  it('keeps the error where the change failed, and nothing to undo for it', async () => {
    const { client } = backed();
    client.createLabel.mockRejectedValueOnce(new Error('frame 500 is past its end'));
    const store = new LabelsStore(client);
    await store.load(1);
    expect(await store.create({ videoId: 1, startIdx: 500, endIdx: 510, cls: 'normal' })).toBe(false);
    expect(store.error).toMatch(/past its end/);
    expect(store.canUndo).toBe(false);
  });
});
