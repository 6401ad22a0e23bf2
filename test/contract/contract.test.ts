import { and, eq, lte, sql } from 'drizzle-orm';
import { Temporal } from 'temporal-polyfill';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningBot, startBot } from '../../src/app/start.js';
import { loadConfig } from '../../src/config.js';
import { createAccountsRepository } from '../../src/db/repos/accounts.js';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { outbox } from '../../src/db/schema.js';
import { decideAttachment, pendingAttachments } from '../../src/features/schools/index.js';
import { AdjustableClock, DAY, HOUR, MINUTE } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { passVoteClose } from '../support/votes.js';
import { type Driver, type Person, telegramDriver, vkDriver } from './drivers.js';

/**
 * The contract every connector must keep, run against Telegram (fake Bot API) and VK (fake VK API): the
 * same scenarios, the same outcomes, only the platform differs.
 */
describe.each([
  ['telegram', telegramDriver],
  ['vk', vkDriver],
] as const)('connector contract: %s', (_name, makeDriver) => {
  let clock: AdjustableClock;
  let driver: Driver;
  let db: TestDatabase;
  let bot: RunningBot;

  async function start(): Promise<void> {
    clock = new AdjustableClock();
    driver = makeDriver(clock);
    await driver.start();
    db = await createTestDatabase();
    bot = await startBot(loadConfig({ ...driver.env(), HTTP_PORT: '0' }), silentLogger, {
      database: db.database,
      clock,
      pacing: null,
      pollTimeoutSeconds: 1,
      outbox: { backoffMs: 20, maxBackoffMs: 200, pollMs: 100 },
    });
  }

  afterEach(async () => {
    await bot?.stop();
    await driver?.stop();
    await db?.drop();
  });

  async function settle(): Promise<void> {
    const deadline = Date.now() + 20_000;
    let quiet = 0;
    while (quiet < 3) {
      if (Date.now() > deadline) throw new Error('the bot did not settle');
      await new Promise((resolve) => setTimeout(resolve, 30));
      await bot.app.settled();
      const [row] = await db.database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(outbox)
        .where(
          and(
            eq(outbox.status, 'pending'),
            lte(outbox.nextAttemptAt, new Date(clock.now().getTime() + 5000)),
          ),
        );
      quiet =
        driver.pendingUpdates() === 0 && bot.app.dispatcher.busy === 0 && Number(row?.n) === 0
          ? quiet + 1
          : 0;
    }
  }

  async function school() {
    const teacher = driver.person('Мария', 'Ивановна');
    const parents = [
      ['Анна', 'Петрова'],
      ['Борис', 'Смирнов'],
      ['Вера', 'Козлова'],
      ['Галина', 'Орлова'],
    ].map(([f, l]) => driver.person(f as string, l as string));
    const chat = driver.classChat('7Б', teacher, parents);
    await settle();
    for (const parent of parents) driver.post(chat, parent, 'Здравствуйте!');
    driver.post(chat, teacher, '/setrules\nВежливость\nБез рекламы\nПо делу');
    await settle();
    return { chat, teacher, parents: parents as [Person, Person, Person, Person] };
  }

  async function strike(chat: number, teacher: Person, member: Person, rule: number) {
    const message = driver.post(chat, member, 'Реклама пирогов');
    driver.post(chat, teacher, `/strike ${rule}`, message);
    await settle();
  }

  const lastText = (chat: number) => driver.botMessages(chat).at(-1)?.text ?? '';

  it('strike → block → scheduled lift', async () => {
    await start();
    const { chat, teacher, parents } = await school();
    const [anna] = parents;
    for (const rule of [1, 2, 3]) await strike(chat, teacher, anna, rule);
    expect(lastText(chat)).toContain('Предупреждение 3 из 3');
    expect(driver.readOnly(chat, anna)).toBe(false);
    await strike(chat, teacher, anna, 2);
    expect(driver.readOnly(chat, anna)).toBe(true);
    expect(lastText(chat)).toContain(
      'Анна Петрова получает 4-е предупреждение при допустимых 3 и блокируется до',
    );
    clock.advance(7 * DAY + MINUTE);
    await bot.app.jobs.run('lift-due-blocks');
    await settle();
    expect(driver.readOnly(chat, anna)).toBe(false);
    expect(lastText(chat)).toBe('Срок блокировки истёк: Анна Петрова снова может писать в чат.');
  });

  it('rules gate: a newcomer is read-only until their own press', async () => {
    await start();
    const { chat, teacher, parents } = await school();
    const newcomer = driver.person('Дмитрий', 'Новиков');
    driver.addNewcomer(chat, newcomer, teacher);
    await settle();
    expect(driver.readOnly(chat, newcomer)).toBe(true);
    const greeting = driver
      .botMessages(chat)
      .find((m) => m.text.startsWith('Добро пожаловать, Дмитрий Новиков'));
    expect(greeting?.labels[0]).toMatch(/^С правилами ознакомлен/);
    driver.press(chat, greeting?.id ?? 0, parents[0], 'С правилами');
    await settle();
    expect(driver.readOnly(chat, newcomer)).toBe(true);
    driver.press(chat, greeting?.id ?? 0, newcomer, 'С правилами');
    await settle();
    expect(driver.readOnly(chat, newcomer)).toBe(false);
    expect(driver.botMessages(chat).some((m) => m.id === greeting?.id)).toBe(false);
  });

  it('vote: apology, /unblock, no objections → the block is lifted at the close', async () => {
    await start();
    const { chat, teacher, parents } = await school();
    const [anna, boris, vera, galina] = parents;
    for (const rule of [1, 2, 3, 1]) await strike(chat, teacher, anna, rule);
    expect(driver.readOnly(chat, anna)).toBe(true);
    driver.post(chat, teacher, `/unblock ${anna.id}`);
    await settle();
    expect(lastText(chat)).toContain('ещё не принёс извинений');
    driver.privateMessage(anna, '/apologize Простите меня, пожалуйста');
    await settle();
    expect(driver.privateTexts(anna).at(-1)).toContain('Ваши извинения переданы в чат «7Б»');
    driver.post(chat, teacher, `/unblock ${anna.id}`);
    await settle();
    const vote = driver
      .botMessages(chat)
      .find((m) => m.text.startsWith('Досрочная разблокировка участника Анна Петрова'));
    expect(vote?.labels.map((label) => label.split(' ·')[0])).toEqual(['Возражаю', 'Не возражаю']);
    for (const voter of [boris, vera, galina]) driver.press(chat, vote?.id ?? 0, voter, 'Не возражаю');
    await settle();
    await passVoteClose(db.database, clock);
    await bot.app.jobs.run('close-due-votes');
    await settle();
    expect(driver.readOnly(chat, anna)).toBe(false);
    expect(lastText(chat)).toContain('Голосование завершено: возражений нет (не возражают: 3).');
  });

  it('roster: a departed student’s parent is removed from the class chat', async () => {
    await start();
    const { chat, teacher, parents } = await school();
    const [anna] = parents;
    driver.post(chat, teacher, '/settings class 7Б');
    const repo = createRosterRepository(db.database.db);
    driver.post(chat, teacher, `/settings school ${await repo.ensureSchoolCode(1)}`);
    await settle();
    const [request] = await pendingAttachments(bot.app.services, 1);
    expect(await decideAttachment(bot.app.services, 1, request?.id ?? 0, 'confirm')).toEqual({
      result: 'confirmed',
    });
    await settle();
    const token = await repo.createToken(1, 'contract', clock.now());
    const push = (events: unknown[]) =>
      fetch(`http://127.0.0.1:${bot.httpPort}/api/v1/roster/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
    await push([
      { id: 'e1', type: 'student.enrolled', studentId: 'S1', classCode: '7Б' },
      { id: 'e2', type: 'guardian.linked', guardianId: 'G1', studentId: 'S1', name: 'Анна Петрова' },
    ]);
    const hello = driver.post(chat, anna, 'Я мама Ивана');
    driver.post(chat, teacher, '/link guardian:G1', hello);
    await settle();
    expect(lastText(chat)).toContain('связан с записью школы');
    const account = await createAccountsRepository(db.database.db).find(driver.platform, String(anna.id));
    expect(account).toBeDefined();
    await push([{ id: 'e3', type: 'student.departed', studentId: 'S1' }]);
    await settle();
    expect(driver.removed(chat, anna)).toBe(true);
    expect(lastText(chat)).toContain('По данным школы из чата удалены: Анна Петрова');
  });
  it('help for the moderator: a flagged message is a private suggestion; its strike button records the strike', async () => {
    await start();
    const { chat, teacher, parents } = await school();
    const [anna] = parents;
    driver.privateMessage(teacher, '/start');
    await settle();
    driver.post(chat, anna, 'Ты дурак');
    await settle();
    const suggestion = driver
      .botMessages(teacher.id)
      .find((m) => m.text.startsWith('Возможно, нарушение в чате «7Б»'));
    expect(suggestion?.text).toContain('Похоже на правило 1: Вежливость');
    expect(suggestion?.labels).toEqual(['Предупреждение по правилу 1', 'Удалить', 'Не нарушение']);
    driver.press(teacher.id, suggestion?.id ?? 0, teacher, 'Предупреждение по правилу 1');
    await settle();
    expect(lastText(chat)).toBe('Предупреждение 1 из 3: нарушено правило 1 «Вежливость».');
  });

  it('announce_only: a read-only chat where the platform can make one, refused with why where not', async () => {
    await start();
    const { chat, teacher } = await school();
    driver.post(chat, teacher, '/settings announce_only on');
    await settle();
    if (driver.platform === 'vk') {
      expect(lastText(chat)).toContain('Здесь нельзя сделать чат только для чтения');
    } else {
      expect(lastText(chat)).toBe('Настройка announce_only теперь: on.');
    }
  });
  it('quiet hours: the chat closes where the platform can; elsewhere an author is reminded privately once a night', async () => {
    await start();
    const { chat, teacher, parents } = await school();
    const [anna] = parents;
    driver.privateMessage(anna, '/start');
    driver.post(chat, teacher, '/settings quiet_hours 22:00-07:00');
    await settle();
    const local = Temporal.Instant.fromEpochMilliseconds(clock.now().getTime()).toZonedDateTimeISO(
      'Europe/Moscow',
    );
    let night = local.with({ hour: 23, minute: 0, second: 0, millisecond: 0 });
    if (Temporal.ZonedDateTime.compare(night, local) <= 0) night = night.add({ days: 1 });
    clock.advanceTo(new Date(night.epochMilliseconds));
    await bot.app.jobs.run('quiet-hours');
    await settle();
    const reminders = () => driver.privateTexts(anna).filter((text) => text.includes('сейчас тихие часы'));
    if (driver.platform === 'vk') {
      driver.post(chat, anna, 'Кто знает расписание?');
      driver.post(chat, anna, 'И на четверг тоже?');
      await settle();
      expect(reminders()).toHaveLength(1);
    } else {
      expect(driver.chatReadOnly?.(chat)).toBe(true);
      expect(reminders()).toHaveLength(0);
    }
  });
});
