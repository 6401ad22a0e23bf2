/** The database handle, or a transaction on it (as in `client.ts`; kept opaque here). */
type Db = object;
type Tx = object;
type Executor = Db | Tx;

/**
 * Who may only read (a live block in mute mode, a pending rules-gate entry) changed: told to this
 * process's listeners right after the change commits, so a message that arrives after the commit is
 * decided from the new records. Other processes learn it from the database's notification
 * (`ccm_read_only`, sent by a trigger on commit). Kept per database handle: two replicas in one test
 * process do not tell each other this way.
 */
const listeners = new WeakMap<Db, Set<() => void>>();
/** Open transactions, by the database they run on; and those that changed who may only read. */
const open = new WeakMap<Tx, Db>();
const changed = new WeakSet<Tx>();

/** Calls `fn` after each committed change to who may only read, through `db`. Returns how to stop. */
export function onReadOnlyChanged(db: Db, fn: () => void): () => void {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(fn);
  return () => set.delete(fn);
}

/** Said by a repository after it wrote a block or a gate entry: at commit, or now outside a transaction. */
export function readOnlyChanged(ex: Executor): void {
  if (open.has(ex)) changed.add(ex);
  else tell(ex);
}

/** The transaction `tx` runs on `db` (called by `inTransaction` as it begins). */
export function began(db: Db, tx: Tx): void {
  open.set(tx, db);
}

/** `tx` committed: its changes are told now, before anything else runs. */
export function committed(tx: Tx): void {
  const db = open.get(tx);
  open.delete(tx);
  if (db && changed.has(tx)) tell(db);
}

function tell(db: Db): void {
  for (const fn of listeners.get(db) ?? []) fn();
}
