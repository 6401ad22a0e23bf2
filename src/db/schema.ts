/**
 * The database schema: one table file per feature under `tables/`. drizzle-kit reads the folder; the
 * client and repositories import the tables from here or from their own file.
 */

export * from './tables/accounts.js';
export * from './tables/assistance.js';
export * from './tables/attachments.js';
export * from './tables/audit.js';
export * from './tables/blocks.js';
export * from './tables/chats.js';
export * from './tables/dashboard.js';
export * from './tables/outbox.js';
export * from './tables/pacing.js';
export * from './tables/personal-data.js';
export * from './tables/reinstatement.js';
export * from './tables/roster.js';
export * from './tables/rules.js';
export * from './tables/rules-gate.js';
export * from './tables/schools.js';
export * from './tables/strikes.js';
export * from './tables/updates.js';
