import { readFileSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/index.js';
import { type LaunchedChromium, launchChromium } from '../support/browser.js';

/** Set to a path to save a screenshot of the sandbox there (the README's picture). */
const SCREENSHOT = process.env.SANDBOX_SCREENSHOT;
const WAIT_MS = 10_000;

/** Accessibility roles of things a person operates; each needs a name a screen reader can say. */
const CONTROL_ROLES = new Set([
  'button',
  'checkbox',
  'combobox',
  'link',
  'listbox',
  'menuitem',
  'radio',
  'searchbox',
  'slider',
  'spinbutton',
  'switch',
  'tab',
  'textbox',
]);

describe('the sandbox page in a real browser', () => {
  let sandbox: RunningSandbox;
  let browser: LaunchedChromium;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    sandbox = await startSandbox(loadConfig({ HTTP_PORT: '0' }), silentLogger, {
      announce: () => {},
      template: new Blob([readFileSync(inject('pgliteTemplate'))]),
    });
    // Debian's Chromium, or the one in @sparticuz/chromium; fails, naming what it tried, when none launches.
    browser = await launchChromium({ viewport: { width: 1280, height: 800 }, locale: 'ru-RU' });
    console.info(`Browser: ${browser.description}`);
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
  });

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const groupLog = () => page.locator('#group-log');
  const privateLog = () => page.locator('#private-log');

  /** The visitor plays `name`. */
  async function playAs(name: string): Promise<void> {
    const button = page.locator('#people').getByRole('button', { name: new RegExp(`^${name}`) });
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
  }

  /** Types into a chat's composer, as the person played now, and sends with Enter. */
  async function say(place: 'group' | 'private', text: string): Promise<void> {
    const input = page.locator(`#${place}-input`);
    await input.fill(text);
    await input.press('Enter');
  }

  function message(log: Locator, text: string): Locator {
    return log.locator('li.msg', { hasText: text });
  }

  const refusal = () => page.locator('#group-composer .refusal');

  // One visitor's story in one browser session: each step starts where the previous one left the page,
  // so once a step fails the steps after it are skipped rather than failing for the same reason.
  describe('a newcomer who breaks rule 3 four times and waits out the block', () => {
    let broken = false;
    beforeEach((context) => {
      if (broken) context.skip();
    });
    afterEach((context) => {
      if (context.task.result?.state === 'fail') broken = true;
    });

    it('lets her join by asking through the bot’s link and accepting the rules privately', async () => {
      await page.goto(`http://127.0.0.1:${sandbox.httpPort}/sandbox`);
      await page.getByRole('heading', { name: '7Б — родители' }).waitFor();
      await message(groupLog(), 'Правила обновлены').waitFor();

      await page.getByLabel('Имя и фамилия (необязательно)').fill('Галина Орлова');
      await page.getByRole('button', { name: 'Заявка по ссылке бота' }).click();
      await expect
        .poll(() => page.locator('.person[aria-pressed="true"] .name').textContent())
        .toBe('Галина Орлова');
      await message(privateLog(), 'Вы подали заявку на вступление в чат «7Б — родители»').waitFor();
      await privateLog().getByRole('button', { name: 'Принимаю правила' }).click();
      await message(privateLog(), 'заявка одобрена').waitFor();
      await groupLog().getByText('Новый участник: Галина Орлова').waitFor();
    });

    it('shows each strike the teacher gives in reply to her message, the fourth past the limit of 3', async () => {
      for (let strike = 1; strike <= 4; strike += 1) {
        await playAs('Галина Орлова');
        await say('group', `Продаю пироги, недорого (${strike})`);
        const offending = message(groupLog(), `Продаю пироги, недорого (${strike})`);
        await offending.waitFor();
        await playAs('Мария Ивановна');
        await offending.getByRole('button', { name: 'Ответить' }).click();
        await page.locator('#group-composer .reply-preview').getByText('Галина Орлова').waitFor();
        await say('group', '/strike 3');
        const answer =
          strike < 4 ? `Предупреждение ${strike} из 3` : 'Галина Орлова: 4-е нарушение, блокировка до';
        await message(groupLog(), answer).waitFor();
      }
    });

    it('shows that she is read-only: a line in the chat, her standing and a notice over the composer', async () => {
      await groupLog()
        .getByText(/^Галина Орлова может только читать группу до/)
        .waitFor();
      await playAs('Галина Орлова');
      await page
        .locator('#group-notice-text')
        .getByText(/^Только чтение: Галина Орлова не может писать/)
        .waitFor();
      await page
        .locator('.person[aria-pressed="true"] .role')
        .getByText(/только чтение до/)
        .waitFor();
    });

    it('shows Telegram’s refusal when she writes anyway, and her message does not appear', async () => {
      await say('group', 'Почему меня заблокировали?');
      await refusal().getByText('Сообщение не отправлено — Telegram отказал:').waitFor();
      expect(await refusal().locator('code').textContent()).toContain('restricted (read-only) until');
      expect(await message(groupLog(), 'Почему меня заблокировали?').count()).toBe(0);
      if (SCREENSHOT) {
        await page.locator('.toast').first().waitFor({ state: 'detached' });
        await page.screenshot({ path: SCREENSHOT });
      }
    });

    it('lifts the block when its week has run, and she can write again', async () => {
      await page.getByRole('button', { name: 'Перевести часы на 7 дней вперёд' }).click();
      await message(groupLog(), 'Галина Орлова: срок блокировки истёк, можно снова писать в чат.').waitFor();
      await groupLog().getByText('Галина Орлова снова может писать в группу').waitFor();
      await page.locator('#group-notice').waitFor({ state: 'hidden' });
      await say('group', 'Извините, больше не повторится.');
      await groupLog().locator('li.msg.out', { hasText: 'Извините, больше не повторится.' }).waitFor();
      await refusal().waitFor({ state: 'hidden' });
    });
  });

  it('has no control without a name a screen reader can say', async () => {
    const cdp = await context.newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const controls = nodes.filter((node) => !node.ignored && CONTROL_ROLES.has(String(node.role?.value)));
    const unnamed = controls
      .filter((node) => String(node.name?.value ?? '').trim() === '')
      .map((node) => `${String(node.role?.value)} (DOM node ${node.backendDOMNodeId ?? '?'})`);
    expect(controls.length).toBeGreaterThan(20);
    expect(unnamed).toEqual([]);
    await cdp.detach();
  });
});
