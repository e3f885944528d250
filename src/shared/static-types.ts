/** Content types of the built renderer's files, for the two places that serve them: browser mode's HTTP server and Electron's app:// protocol. */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** The content type for a file extension (with its dot), octet-stream for anything else. */
export const staticContentType = (ext: string): string => TYPES[ext] ?? 'application/octet-stream';
