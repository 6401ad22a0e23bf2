import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';

/**
 * Makes the next `times` inserts into `table` fail inside the database, the way a real outage or a
 * broken constraint would. A sequence counts the failures because, unlike a table, it is not rolled
 * back with the failing transaction.
 */
export async function failNextInserts(database: Database, table: string, times: number): Promise<void> {
  const name = `inject_${table}`;
  await database.db.execute(sql.raw(`drop sequence if exists ${name}_seq`));
  await database.db.execute(sql.raw(`create sequence ${name}_seq`));
  await database.db.execute(
    sql.raw(`create or replace function ${name}() returns trigger as $$
      begin
        if nextval('${name}_seq') <= ${times} then raise exception 'injected failure on ${table}'; end if;
        return new;
      end $$ language plpgsql`),
  );
  await database.db.execute(sql.raw(`drop trigger if exists ${name} on ${table}`));
  await database.db.execute(
    sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`),
  );
}
