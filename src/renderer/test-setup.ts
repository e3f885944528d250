// Renderer test setup: unmount components and reset the DOM after every test.
import '@testing-library/svelte/vitest';
