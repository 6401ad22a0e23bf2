import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema.js';
import { laneOf } from '../../src/outbox/enqueue.js';
import { type LaunchedChromium, launchChromium } from '../support/browser.js';
import { Harness } from '../support/harness.js';
import { type School, school } from '../support/roster.js';
import { classChat } from '../support/school.js';
import { lastLink } from './client.js';

/** Set to a path to save a screenshot of the overview there (the README's picture). */
const SCREENSHOT = process.env.DASHBOARD_SCREENSHOT;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WEEK = 7 * 24 * 3600_000;

/**
 * The dashboard as a teacher uses it, in a real Chromium against the real bot (telegraf connector, fake
 * Bot API over HTTP): the link from `/dashboard`, the charts, the audit log and its CSV, a retry.
 */
describe('the dashboard in a real browser', () => {
  let h: Harness;
  let s: School;
  let browser: LaunchedChromium;
  let page: Page;
  let classChatId: number;
  let otherChatId: number;
  /** Errors the pages logged: a script or style the CSP refused would show here. */
  const consoleErrors: string[] = [];

  const chatIdOf = async (platformChatId: number) => {
    const [row] = await h.db.database.db
      .select()
      .from(schema.chats)
      .where(eq(schema.chats.platformChatId, String(platformChatId)));
    if (!row) throw new Error(`no chat ${platformChatId}`);
    return row.id;
  };

  const strike = async (user: Parameters<Harness['api']['sendMessage']>[1], text: string) => {
    const message = h.api.sendMessage(s.chats.classChat, user, text);
    await h.settle();
    h.api.sendMessage(s.chats.classChat, s.teacher, '/strike 1', { replyTo: message.message_id });
    await h.settle();
  };

  beforeAll(async () => {
    h = await Harness.start();
    s = await school(h);
    const other = await classChat(h, { title: '9В' });
    classChatId = await chatIdOf(s.chats.classChat);
    otherChatId = await chatIdOf(other.chatId);
    // Strikes in two different weeks: Ivan twice, Anna once.
    await strike(s.people.ivan, 'первое нарушение');
    h.clock.advance(2 * WEEK);
    await strike(s.people.ivan, 'второе нарушение');
    await strike(s.people.anna, 'третье нарушение');
    const db = h.db.database.db;
    const now = h.clock.now();
    // A platform action that failed for good (the bot had lost its rights then).
    const action = {
      type: 'send' as const,
      chat: { platform: 'telegram' as const, platformChatId: String(s.chats.classChat) },
      text: 'Напоминание: собрание в пятницу',
    };
    await db.insert(schema.outbox).values({
      lane: laneOf(action),
      chatId: classChatId,
      action,
      status: 'failed',
      attempts: 10,
      maxAttempts: 10,
      nextAttemptAt: now,
      lastError: 'Bad Request: not enough rights to send text messages to the chat',
      createdAt: now,
      completedAt: now,
    });
    // A mute that failed: its block is recorded as failed, so it is not retried from the dashboard.
    const mute = {
      type: 'mute' as const,
      chat: action.chat,
      userId: String(s.people.oleg.id),
      until: new Date(now.getTime() + WEEK).toISOString(),
    };
    await db.insert(schema.outbox).values({
      lane: laneOf(mute),
      chatId: classChatId,
      action: mute,
      onFailed: { name: 'block.applied', args: { blockId: 999 } },
      status: 'failed',
      attempts: 10,
      maxAttempts: 10,
      nextAttemptAt: now,
      lastError: 'Bad Request: not enough rights to restrict/unrestrict chat member',
      createdAt: new Date(now.getTime() - 1000),
      completedAt: new Date(now.getTime() - 1000),
    });
    // An entry whose words a spreadsheet would run as a formula.
    await db.insert(schema.auditLog).values({
      at: now,
      schoolId: 1,
      chatId: classChatId,
      actorKind: 'moderator',
      actorName: '=HYPERLINK("http://evil.example","x")',
      action: 'strike',
      reason: '+1 спам',
    });
    browser = await launchChromium({
      viewport: { width: 1280, height: 900 },
      locale: 'ru-RU',
      acceptDownloads: true,
    });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  /** axe-core's serious and critical findings on the page as it is now. */
  async function accessibilityProblems(on: Page = page): Promise<string[]> {
    await on.evaluate(AXE);
    const result = (await on.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
      violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
    };
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  it('signs the teacher in through the link the bot sent in private', async () => {
    h.api.privateMessage(s.teacher, '/dashboard');
    await h.settle();
    const link = lastLink(h, s.teacher.id);
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    await page.getByRole('button', { name: 'Войти в панель' }).click();
    await page.waitForURL('**/dashboard/overview');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Обзор');
    const chats = page.locator('table.chats tbody tr');
    await expect(chats.count()).resolves.toBe(4);
    expect(await page.locator('table.chats').textContent()).not.toContain('9В');
  });

  it('draws the weekly chart: 12 points per series, the strikes where they were', async () => {
    await page.goto('/dashboard/overview'.replace(/^/, new URL(page.url()).origin));
    await page.locator('.chart[data-state="drawn"]').waitFor();
    // Run in the page (a string: the tests are compiled without the DOM's types).
    const chart = (await page.evaluate(`(() => {
      const plot = window.dashboardCharts[0];
      const canvas = document.querySelector('.chart canvas');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
      return { data: plot ? plot.data : [], painted, points: canvas.closest('.chart').getAttribute('data-points') };
    })()`)) as { data: number[][]; painted: number; points: string | null };
    expect(chart.points).toBe('12');
    expect(chart.data).toHaveLength(4);
    for (const series of chart.data) expect(series).toHaveLength(12);
    const strikes = chart.data[1] ?? [];
    expect(strikes.at(-1)).toBe(2);
    expect(strikes.at(-3)).toBe(1);
    expect(strikes.reduce((a, b) => a + b, 0)).toBe(3);
    expect(chart.painted).toBeGreaterThan(500);
    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('filters the audit log and downloads the same rows as CSV, formulas defused', async () => {
    const origin = new URL(page.url()).origin;
    await page.goto(`${origin}/dashboard/audit`);
    expect(await accessibilityProblems()).toEqual([]);
    await page.getByLabel('Действие').selectOption('strike');
    await page.getByLabel('Человек (часть имени)').fill('Иван Петров');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForURL(/action=strike/);
    const rows = page.locator('table.audit tbody tr');
    await expect(rows.count()).resolves.toBe(2);
    expect(await rows.first().textContent()).toContain('Иван Петров');
    expect(await rows.first().textContent()).toContain('предупреждение');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByText('Скачать CSV').click(),
    ]);
    const csv = readFileSync((await download.path()) ?? '', 'utf8').replace(/^\ufeff/, '');
    const lines = csv.trim().split('\r\n');
    // The page's columns in the page's words, a time a spreadsheet reads, and the action's code last.
    expect(lines[0]).toBe(
      '"№","Когда (Europe/Moscow)","Чат","Кто","Что","С кем","Правило","Причина","Код действия"',
    );
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(1)) {
      expect(line).toMatch(/^"\d+","\d{4}-\d\d-\d\d \d\d:\d\d:\d\d",/);
      expect(line).toContain('"предупреждение","Иван Петров","1"');
      expect(line).toMatch(/,"strike"$/);
    }
    // Without the person filter the entry with a formula comes too, as text.
    await page.goto(`${origin}/dashboard/audit?action=strike`);
    const [all] = await Promise.all([page.waitForEvent('download'), page.getByText('Скачать CSV').click()]);
    const allCsv = readFileSync((await all.path()) ?? '', 'utf8');
    expect(allCsv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(allCsv).toContain(`"'+1 спам"`);
    expect(allCsv.trim().split('\r\n')).toHaveLength(5);
  });

  it('retries a failed action: the outbox performs it and the chat gets the message', async () => {
    const origin = new URL(page.url()).origin;
    await page.goto(`${origin}/dashboard/failed`);
    expect(await page.locator('table.failed').textContent()).toContain('not enough rights');
    expect(await accessibilityProblems()).toEqual([]);
    await expect(page.getByRole('button', { name: /Повторить/ }).count()).resolves.toBe(1);
    expect(await page.locator('table.failed').textContent()).toContain('Повторить здесь нельзя');
    await page.getByRole('button', { name: /Повторить/ }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('поставлено в очередь');
    await h.settle();
    expect(h.api.lastBotMessage(s.chats.classChat)?.text).toBe('Напоминание: собрание в пятницу');
    const left = page.locator('table.failed tbody tr');
    await expect(left.count()).resolves.toBe(1);
    expect(await left.textContent()).toContain('mute');
  });

  it('shows a chat page with its members, and answers 404 for a chat the teacher does not moderate', async () => {
    const origin = new URL(page.url()).origin;
    await page.goto(`${origin}/dashboard/chats/${classChatId}`);
    expect(await page.locator('table.members').textContent()).toContain('Иван Петров');
    await page.locator('.chart[data-state="drawn"]').waitFor();
    expect(await accessibilityProblems()).toEqual([]);
    const other = await page.goto(`${origin}/dashboard/chats/${otherChatId}`);
    expect(other?.status()).toBe(404);
    const api = await page.request.get(`${origin}/dashboard/api/weekly?chat=${otherChatId}`);
    expect(api.status()).toBe(404);
    const own = await page.request.get(`${origin}/dashboard/api/weekly?chat=${classChatId}`);
    expect(own.status()).toBe(200);
  });

  it('refuses an expired link with a clear page', async () => {
    h.api.privateMessage(s.teacher, '/dashboard');
    await h.settle();
    const link = lastLink(h, s.teacher.id);
    h.clock.advance(11 * 60_000);
    const fresh = await browser.context.browser()?.newContext();
    const other = fresh ? await fresh.newPage() : await browser.context.newPage();
    const response = await other.goto(link);
    expect(response?.status()).toBe(410);
    expect(await other.getByRole('alert').textContent()).toContain('Срок действия ссылки истёк');
    expect(await accessibilityProblems(other)).toEqual([]);
    await other.close();
  });

  it('lets the school administrator sign in with the token on a phone and use the roster and requests', async () => {
    const origin = new URL(page.url()).origin;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/dashboard/overview`);
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.waitForURL(`${origin}/dashboard`);
    expect(await accessibilityProblems()).toEqual([]);
    await page.getByLabel('API-токен школы').fill(s.token);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL('**/dashboard/overview');
    await page.locator('.chart[data-state="drawn"]').waitFor();
    // Nothing wider than the phone: wide tables scroll in their own box.
    const widths = (await page.evaluate(
      '[document.documentElement.scrollWidth, window.innerWidth]',
    )) as number[];
    expect(widths[0]).toBeLessThanOrEqual(widths[1] ?? 0);
    expect(await accessibilityProblems()).toEqual([]);
    await page.getByRole('link', { name: 'Списки школы' }).click();
    await page.waitForURL('**/dashboard/roster');
    expect(await page.locator('table.uninvited').textContent()).toContain('S2');
    expect(await accessibilityProblems()).toEqual([]);
    await page.getByRole('link', { name: 'Запросы чатов' }).click();
    await page.waitForURL('**/dashboard/attachments');
    expect(await accessibilityProblems()).toEqual([]);
  });

  it('ran no script and used no style the page’s CSP refused, and threw no error', () => {
    // 404 pages log their status as an error in Chromium; nothing else may be there.
    expect(consoleErrors.filter((text) => !/status of 404/.test(text))).toEqual([]);
  });
});
