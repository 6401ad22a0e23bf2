import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { DashboardEnv } from './session.js';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** uPlot's files, from the installed package (no CDN: the bot serves them). */
function uplotFile(name: string): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('uplot');
  return path.join(path.dirname(entry), name);
}

const FILES: Record<string, { file: () => string; type: string }> = {
  'dashboard.js': {
    file: () => path.join(PUBLIC_DIR, 'dashboard.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'dashboard.css': { file: () => path.join(PUBLIC_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { file: () => uplotFile('uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: () => uplotFile('uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** The dashboard's scripts and styles, read once and served from memory (an hour's cache). */
export function assetRoutes(app: Hono<DashboardEnv>): void {
  const cache = new Map<string, Buffer>();
  app.get('/dashboard/assets/:name', (c) => {
    const name = c.req.param('name');
    const asset = FILES[name];
    if (!asset) return c.text('not found', 404);
    let content = cache.get(name);
    if (!content) {
      content = readFileSync(asset.file());
      cache.set(name, content);
    }
    return c.body(new Uint8Array(content), 200, {
      'content-type': asset.type,
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
  });
}
