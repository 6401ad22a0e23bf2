#!/usr/bin/env node
// Fails when a source file in src/ is over 400 lines: a file that long mixes roles and should be split
// (the sandbox's Telegram emulator, a model of a whole API, is the one exception). Run by `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const LIMIT = 400;
const EXEMPT = ['src/sandbox/telegram/'];
const TEXT = /\.(ts|js|mjs|css|html)$/;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (TEXT.test(entry.name)) yield full;
  }
}

const long = [];
for (const file of files('src')) {
  if (EXEMPT.some((prefix) => file.startsWith(prefix))) continue;
  const lines = readFileSync(file, 'utf8').split('\n').length - 1;
  if (lines > LIMIT) long.push(`${file}: ${lines} lines`);
}
if (long.length > 0) {
  console.error(`Files over ${LIMIT} lines (split them by role):\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`No file in src/ is over ${LIMIT} lines.`);
