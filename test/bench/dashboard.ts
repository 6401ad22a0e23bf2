import { sql } from 'drizzle-orm';
import { issueLink, redeemLink } from '../../src/features/dashboard/index.js';
import { dashboardRoutes } from '../../src/http/dashboard/index.js';
import { Texts } from '../../src/i18n/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { Services } from '../../src/runtime/services.js';
import type { Row } from './scenarios.js';
import { benchDatabase, bulkChats, percentile } from './support.js';

const CHATS = 60;
const MEMBERS = 2_000;
const AUDIT = 100_000;

/**
 * The dashboard of a school with 60 chats, 2,000 members and 100,000 audit entries on PostgreSQL: the
 * overview page and a filtered audit log page, server time (the Hono app's answer, no network), p95.
 */
export async function dashboardPages(quick = false): Promise<Row[]> {
  const bench = await benchDatabase();
  try {
    const perChat = Math.ceil(MEMBERS / CHATS);
    const chats = Array.from({ length: CHATS }, (_, n) => ({
      chatId: -1005000000000 - n,
      title: `${(n % 11) + 1}${'АБВГ'[n % 4]} ${n}`,
      userIds: Array.from({ length: perChat }, (_, u) => 6_000_000 + n * perChat + u).slice(
        0,
        Math.max(0, Math.min(perChat, MEMBERS - n * perChat)),
      ),
    }));
    await bulkChats(bench.database, chats);
    const db = bench.database.db;
    // Strikes, blocks and votes spread over the last 12 weeks, and 100,000 audit entries of ten kinds.
    await db.execute(sql`
      insert into strikes (chat_id, account_id, moderator_name, rule_number, rule_text, rules_version, created_at)
      select m.chat_id, m.account_id, 'Модератор', 1, 'Общаемся вежливо', 1, now() - make_interval(hours => (g * 7) % 2000)
      from generate_series(1, 6000) g
      join lateral (select chat_id, account_id from chat_members order by chat_id, account_id offset (g % ${MEMBERS}) limit 1) m on true`);
    await db.execute(sql`
      insert into blocks (chat_id, account_id, mode, starts_at, ends_at, status, created_at)
      select distinct on (chat_id, account_id) chat_id, account_id, 'mute', created_at, created_at + interval '7 days',
        case when created_at > now() - interval '7 days' then 'active' else 'lifted' end, created_at
      from strikes where account_id % 5 = 0 order by chat_id, account_id, created_at desc`);
    await db.execute(sql`
      insert into audit_log (at, school_id, chat_id, actor_kind, actor_name, action, target_account_id, rule_number, reason)
      select now() - make_interval(secs => g * 70), 1, c.first + g % ${CHATS}, 'moderator', 'Модератор ' || (g % 60),
        (array['strike','strike_revoked','block','unblock','message_deleted','report','removed','rules_changed','settings_changed','vote_opened'])[1 + g % 10],
        a.first + g % ${MEMBERS}, 1, 'причина ' || g
      from generate_series(1, ${AUDIT}) g, (select min(id) as first from chats) c, (select min(id) as first from accounts) a`);
    await db.execute(sql`analyze`);
    const services = new Services({
      db,
      clock: systemClock,
      log: silentLogger,
      texts: new Texts('ru'),
      timeZone: 'Europe/Moscow',
      defaultLanguage: 'ru',
      messengers: new Map(),
      wakeOutbox: () => {},
    });
    const token = await issueLink(db, { role: 'school', accountId: null, schoolId: 1 }, new Date());
    const session = await redeemLink(services, token);
    if (!session.ok) throw new Error('could not sign in');
    const app = dashboardRoutes(services);
    const headers = { cookie: `ccm_dashboard=${session.session.cookie}`, 'accept-language': 'ru' };
    const measure = async (path: string, runs: number) => {
      const times: number[] = [];
      for (let i = 0; i < runs + 5; i += 1) {
        const started = performance.now();
        const response = await app.request(path, { headers });
        const body = await response.text();
        if (response.status !== 200 || body.length < 500) throw new Error(`${path}: ${response.status}`);
        if (i >= 5) times.push(performance.now() - started);
      }
      return percentile(times, 95);
    };
    const runs = quick ? 20 : 200;
    const overview = await measure('/dashboard/overview', runs);
    const audit = await measure('/dashboard/audit?action=block', runs);
    const auditPerson = await measure('/dashboard/audit?action=strike&person=6000123', runs);
    return [
      {
        scenario: `dashboard: overview of a school with ${CHATS} chats, ${MEMBERS.toLocaleString('en')} members, ${AUDIT.toLocaleString('en')} audit entries`,
        figure: `p95 ${overview.toFixed(1)} ms server time`,
        target: '≤ 150 ms',
        pass: overview <= 150,
      },
      {
        scenario: 'dashboard: audit log page filtered by action',
        figure: `p95 ${audit.toFixed(1)} ms server time (with a person too: ${auditPerson.toFixed(1)} ms)`,
        target: '≤ 100 ms',
        pass: audit <= 100,
      },
    ];
  } finally {
    await bench.drop();
  }
}
