export * from '../../../src/sandbox/telegram/index.js';
