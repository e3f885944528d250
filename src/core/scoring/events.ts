/** Event detection lives in src/shared so the renderer recomputes events live with the same rules. */
export { detectEvents, eventOptionsAt, eventOptionsFor, type EventOptions, type EventSpan } from '../../shared/event-detection.js';
