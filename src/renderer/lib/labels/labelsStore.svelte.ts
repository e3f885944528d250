/**
 * A video's labels, the label classes, and undo. Every change goes through AppApi; undo replays the
 * inverse change (a deleted label comes back as a new label with the same span, class and note).
 */
import type { AppApi } from '../../../shared/api.js';
import type { Label, LabelInput, LabelPatch } from '../../../shared/domain.js';
import type { AppEventSource } from '../../../shared/events.js';

type Undo = { kind: 'delete'; id: number } | { kind: 'create'; input: LabelInput; oldId: number } | { kind: 'update'; id: number; patch: LabelPatch };

const snapshot = (l: Label): LabelPatch => ({ startIdx: l.startIdx, endIdx: l.endIdx, cls: l.cls, note: l.note });

export class LabelsStore {
  labels = $state.raw<Label[]>([]);
  classes = $state.raw<string[]>(['normal', 'nuisance', 'incident', 'tamper']);
  error = $state<string | null>(null);
  videoId = $state<number | null>(null);
  private undoStack = $state.raw<Undo[]>([]);
  readonly canUndo = $derived(this.undoStack.length > 0);

  constructor(private readonly client: Pick<AppApi, 'listLabels' | 'createLabel' | 'updateLabel' | 'deleteLabel' | 'listLabelClasses'> & AppEventSource) {}

  /** Follow label changes from anywhere (another window, the CLI through the app); returns the unsubscribe. */
  connect(): () => void {
    return this.client.on('labels:changed', ({ videoId }) => {
      if (videoId === this.videoId) void this.reload();
    });
  }

  async load(videoId: number | null): Promise<void> {
    if (videoId !== this.videoId) this.undoStack = [];
    this.videoId = videoId;
    await this.reload();
  }

  async reload(): Promise<void> {
    const id = this.videoId;
    try {
      const [labels, classes] = await Promise.all([id === null ? Promise.resolve([]) : this.client.listLabels(id), this.client.listLabelClasses()]);
      if (id !== this.videoId) return;
      this.labels = labels;
      this.classes = classes;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  private async apply(step: () => Promise<Undo | null>, record = true): Promise<boolean> {
    this.error = null;
    try {
      const inverse = await step();
      if (record && inverse) this.undoStack = [...this.undoStack.slice(-99), inverse];
      await this.reload();
      return true;
    } catch (e) {
      this.error = (e as Error).message;
      return false;
    }
  }

  create(input: LabelInput): Promise<boolean> {
    return this.apply(async () => ({ kind: 'delete', id: (await this.client.createLabel(input)).id }));
  }

  update(label: Label, patch: LabelPatch): Promise<boolean> {
    return this.apply(async () => {
      await this.client.updateLabel(label.id, patch);
      return { kind: 'update', id: label.id, patch: snapshot(label) };
    });
  }

  remove(label: Label): Promise<boolean> {
    return this.apply(async () => {
      await this.client.deleteLabel(label.id);
      return { kind: 'create', oldId: label.id, input: { videoId: label.videoId, startIdx: label.startIdx, endIdx: label.endIdx, cls: label.cls, note: label.note } };
    });
  }

  /** Take back the latest change. */
  async undo(): Promise<boolean> {
    const last = this.undoStack[this.undoStack.length - 1];
    if (!last) return false;
    this.undoStack = this.undoStack.slice(0, -1);
    return this.apply(async () => {
      if (last.kind === 'delete') await this.client.deleteLabel(last.id);
      else if (last.kind === 'update') await this.client.updateLabel(last.id, last.patch);
      else {
        // The re-created label has a new id: earlier undo steps that name the old one must follow it.
        const created = await this.client.createLabel(last.input);
        this.undoStack = this.undoStack.map((u) => (u.kind !== 'create' && u.id === last.oldId ? { ...u, id: created.id } : u));
      }
      return null;
    }, false);
  }
}
