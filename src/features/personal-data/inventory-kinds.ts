/**
 * The inventory of personal data (152-ФЗ): every column of every table, classified. A test reads the
 * drizzle tables and fails on any column this map does not classify, so a new table or a new free-text
 * or JSON column cannot be forgotten. README "Personal data" is the same map in words.
 */

/** What a column holds about a person. */
export type DataCategory =
  /** nothing about a person (technical, or about a chat or the school) */
  | 'none'
  /** our own numeric id of an account or roster person: pseudonymous once the names are gone */
  | 'pseudonymous_id'
  /** a messenger's user id (Telegram, VK, MAX) */
  | 'platform_id'
  /** the school's own id of a student, guardian or employee */
  | 'roster_id'
  /** a roster name or a messenger display name or username */
  | 'name'
  /** words a person or a moderator wrote: apologies, reasons, message excerpts */
  | 'free_text'
  /** a fact about a person: a status, a class, a rule broken, a time, a choice in a vote */
  | 'fact'
  /** JSON that may hold any of the above */
  | 'json';

/**
 * What erasure does to a column: `row` — the person's rows are deleted; `blank` — set to null or '';
 * `pseudonym` — replaced by a value that no longer identifies the person (a keyed hash or a random id);
 * `redact` — names and free text taken out of JSON; `keep` — kept (not personal, or the pseudonymous id
 * the audit log needs under 4.13.7).
 */
export type Erasure = 'row' | 'blank' | 'pseudonym' | 'redact' | 'keep';

export interface ColumnClass {
  data: DataCategory;
  /** Whether a person's export carries it. */
  export: boolean;
  erase: Erasure;
}

export interface TableClass {
  /** Why the bot keeps it. */
  purpose: string;
  /** How long, and what erases it (README's words). */
  retention: string;
  columns: Record<string, ColumnClass>;
}

/** Shorthands for the classifications the tables use most. */
export const none: ColumnClass = { data: 'none', export: false, erase: 'keep' };
export const shown: ColumnClass = { data: 'none', export: true, erase: 'keep' };
export const fact: ColumnClass = { data: 'fact', export: true, erase: 'row' };
export const idRow: ColumnClass = { data: 'pseudonymous_id', export: false, erase: 'row' };
export const idKept: ColumnClass = { data: 'pseudonymous_id', export: false, erase: 'keep' };
export const nameBlank: ColumnClass = { data: 'name', export: true, erase: 'blank' };
export const textBlank: ColumnClass = { data: 'free_text', export: true, erase: 'blank' };
