import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.js';
import { runRetention } from '../../src/features/personal-data/index.js';
import { Texts } from '../../src/i18n/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { Services } from '../../src/runtime/services.js';
import type { Row } from './scenarios.js';
import { benchDatabase, bulkChats, rowsOf } from './support.js';

const STRIKES = 100_000;

/**
 * Retention (152-ФЗ) on 100,000 strikes past their period, on PostgreSQL, run by two replicas at once
 * (each its own connection pool): all erased, each once, in batches under FOR UPDATE SKIP LOCKED.
 */
export async function retentionStrikes(strikes = STRIKES): Promise<Row> {
  const bench = await benchDatabase();
  const second = await openDatabase({ kind: 'postgres', url: bench.url, maxConnections: 5 });
  try {
    const chats = Array.from({ length: 100 }, (_, n) => ({
      chatId: -1004000000000 - n,
      title: `Чат ${n}`,
      userIds: Array.from({ length: 100 }, (_, u) => 5_000_000 + n * 100 + u),
    }));
    await bulkChats(bench.database, chats);
    const db = bench.database.db;
    // Two years old: they stopped counting after strike_days (365) and outlived the strike period (365).
    await db.execute(sql`
      insert into strikes (chat_id, account_id, moderator_name, rule_number, rule_text, rules_version, reason,
        message_excerpt, created_at)
      select c.first + g % 100, a.first + g % 10000, 'Модератор', 1, 'Общаемся вежливо', 1, 'причина',
        'текст сообщения', now() - interval '800 days' - make_interval(secs => g)
      from generate_series(1, ${strikes}) g,
        (select min(id) as first from chats) c, (select min(id) as first from accounts) a`);
    // And 1,000 recent ones that must stay.
    await db.execute(sql`
      insert into strikes (chat_id, account_id, moderator_name, rule_number, rule_text, rules_version, created_at)
      select c.first + g % 100, a.first + g % 10000, 'Модератор', 1, 'Общаемся вежливо', 1, now()
      from generate_series(1, 1000) g, (select min(id) as first from chats) c, (select min(id) as first from accounts) a`);
    await db.execute(sql`analyze`);
    const services = [bench.database, second].map(
      (database) =>
        new Services({
          db: database.db,
          clock: systemClock,
          log: silentLogger,
          texts: new Texts('ru'),
          timeZone: 'Europe/Moscow',
          defaultLanguage: 'ru',
          messengers: new Map(),
          wakeOutbox: () => {},
        }),
    );
    const started = performance.now();
    const reports = await Promise.all(services.map((s) => runRetention(s, new Date())));
    const seconds = (performance.now() - started) / 1000;
    const erased = reports.reduce((sum, report) => sum + report.strikes, 0);
    const left = Number(
      rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from strikes`))[0]?.n,
    );
    const pass = seconds <= 5 && erased === strikes && left === 1000;
    return {
      scenario: `retention: ${strikes.toLocaleString('en')} strikes past their period, two replicas at once`,
      figure: `${erased.toLocaleString('en')} erased in ${seconds.toFixed(2)} s (${reports.map((r) => r.strikes).join(' + ')}), ${left} recent kept`,
      target: '≤ 5 s, each erased once, recent ones kept',
      pass,
      details: { seconds, reports, left },
    };
  } finally {
    await second.close();
    await bench.drop();
  }
}
