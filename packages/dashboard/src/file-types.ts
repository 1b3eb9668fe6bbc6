import { extname } from 'node:path';

/** Content types of the files the dashboard serves: its page, and run files opened from it. */
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** Run files shown as plain text in the browser (never as HTML, whatever they hold). */
const TEXT = new Set(['.jsonl', '.md', '.txt', '.yaml', '.yml', '.csv', '.log']);

/** The content type to serve a file with; anything unknown is a download (octet-stream). */
export function contentType(path: string): { type: string; download: boolean } {
  const ext = extname(path).toLowerCase();
  if (TYPES[ext]) return { type: TYPES[ext], download: false };
  if (TEXT.has(ext)) return { type: 'text/plain; charset=utf-8', download: false };
  return { type: 'application/octet-stream', download: true };
}
