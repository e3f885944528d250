import { vi } from 'vitest';

/** jsdom has no PointerEvent: a MouseEvent with a pointerId carries clientX/clientY, button and shiftKey. */
export function stubPointerEvent(): void {
  if (typeof window.PointerEvent !== 'undefined') return;
  class PointerEventForTests extends MouseEvent {
    readonly pointerId: number;
    constructor(type: string, init: PointerEventInit = {}) {
      super(type, init);
      this.pointerId = init.pointerId ?? 1;
    }
  }
  vi.stubGlobal('PointerEvent', PointerEventForTests);
}
