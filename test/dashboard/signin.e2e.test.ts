import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema.js';
import { issueLink, linkUrl } from '../../src/features/dashboard/index.js';
import { Harness } from '../support/harness.js';
import { schoolToken } from '../support/roster.js';
import { classChat } from '../support/school.js';
import { sharedHarness } from '../support/shared-harness.js';
import { DashboardClient, lastLink } from './client.js';

/** Sign-in without passwords (issue 19): the link `/dashboard` sends, its limits, sessions and CSRF. */
describe('dashboard sign-in', () => {
  const shared = sharedHarness(async (h) => {
    const a = await classChat(h, { title: '5А' });
    const b = await classChat(h, { title: '6Б' });
    return { a, b };
  });

  it('gives a moderator a link in private that opens a session showing only their chats', async () => {
    const { h, state } = shared;
    h.api.privateMessage(state.a.teacher, '/dashboard');
    await h.settle();
    const link = lastLink(h, state.a.teacher.id);
    expect(h.api.lastBotMessage(state.a.teacher.id)?.text).toContain('10 минут');
    const client = new DashboardClient(h);
    const signedIn = await client.signInWith(link);
    expect(signedIn.status).toBe(303);
    expect(signedIn.response.headers.get('location')).toBe('/dashboard/overview');
    const cookie = signedIn.response.headers.getSetCookie().find((c) => c.startsWith('ccm_dashboard='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Max-Age=28800/i);
    const overview = await client.get('/dashboard/overview');
    expect(overview.status).toBe(200);
    expect(overview.text).toContain('5А');
    expect(overview.text).not.toContain('6Б');
    // The same link a second time: refused.
    const again = await new DashboardClient(h).signInWith(link);
    expect(again.status).toBe(410);
    expect(again.text).toContain('уже использована');
  });

  it('refuses a moderator of chat A the pages and API of chat B (404)', async () => {
    const { h, state } = shared;
    h.api.privateMessage(state.a.teacher, '/dashboard');
    await h.settle();
    const client = new DashboardClient(h);
    await client.signInWith(lastLink(h, state.a.teacher.id));
    const chats = await h.app.services.db.query.chats.findMany();
    const chatB = chats.find((c) => c.title === '6Б');
    const chatA = chats.find((c) => c.title === '5А');
    expect((await client.get(`/dashboard/api/chats/${chatA?.id}`)).status).toBe(200);
    expect((await client.get(`/dashboard/api/chats/${chatB?.id}`)).status).toBe(404);
    expect((await client.get(`/dashboard/api/weekly?chat=${chatB?.id}`)).status).toBe(404);
  });

  it('refuses an expired link and a forged one with a clear page', async () => {
    const { h, state } = shared;
    h.api.privateMessage(state.b.teacher, '/dashboard');
    await h.settle();
    const link = lastLink(h, state.b.teacher.id);
    h.clock.advance(10 * 60_000 + 1000);
    const expired = await new DashboardClient(h).get(new URL(link).pathname);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('истёк');
    const forged = await new DashboardClient(h).get(`/dashboard/signin/${'A'.repeat(43)}`);
    expect(forged.status).toBe(404);
    expect(forged.text).toContain('Ссылка неверна');
  });

  it('tells a member who moderates nothing that the dashboard is for moderators', async () => {
    const { h, state } = shared;
    const parent = state.a.parents[0];
    if (!parent) throw new Error('no parent');
    h.api.privateMessage(parent, '/dashboard');
    await h.settle();
    expect(h.api.lastBotMessage(parent.id)?.text).toContain('модераторам');
  });

  it('refuses a form without the CSRF token', async () => {
    const { h, state } = shared;
    h.api.privateMessage(state.a.teacher, '/dashboard');
    await h.settle();
    const client = new DashboardClient(h);
    await client.signInWith(lastLink(h, state.a.teacher.id));
    const refused = await client.post('/dashboard/signout', {});
    expect(refused.status).toBe(403);
    expect((await client.get('/dashboard/overview')).status).toBe(200);
    const page = await client.get('/dashboard/overview');
    const out = await client.post('/dashboard/signout', { _csrf: DashboardClient.csrfOf(page.text) });
    expect(out.status).toBe(303);
    expect((await client.get('/dashboard/overview')).status).toBe(303);
  });

  it('signs a school administrator in with the API token and shows every chat of the school', async () => {
    const { h } = shared;
    const db = h.db.database.db;
    const chats = await db.query.chats.findMany();
    for (const chat of chats) {
      await db.update(schema.chats).set({ schoolId: 1 }).where(eq(schema.chats.id, chat.id));
    }
    const token = await schoolToken(h);
    const client = new DashboardClient(h);
    const page = await client.get('/dashboard');
    const wrong = await client.post('/dashboard/login', {
      _csrf: DashboardClient.csrfOf(page.text),
      token: 'nope',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('Токен не подошёл');
    const again = await client.get('/dashboard');
    const ok = await client.post('/dashboard/login', { _csrf: DashboardClient.csrfOf(again.text), token });
    expect(ok.status).toBe(303);
    const overview = await client.get('/dashboard/overview');
    expect(overview.text).toContain('5А');
    expect(overview.text).toContain('6Б');
    // The CLI's link (npm run cli -- dashboard link 1) opens the same.
    const link = linkUrl(
      client.base,
      await issueLink(db, { role: 'school', accountId: null, schoolId: 1 }, h.clock.now()),
    );
    const viaLink = new DashboardClient(h);
    expect((await viaLink.signInWith(link)).status).toBe(303);
    expect((await viaLink.get('/dashboard/overview')).text).toContain('6Б');
  });

  it('refuses the sign-in form without its CSRF cookie, and limits failed attempts', async () => {
    const { h } = shared;
    const client = new DashboardClient(h);
    const page = await client.get('/dashboard');
    const csrf = DashboardClient.csrfOf(page.text);
    client.cookies.clear();
    expect((await client.post('/dashboard/login', { _csrf: csrf, token: 'x' })).status).toBe(403);
    const token = await schoolToken(h);
    let last = 0;
    for (let i = 0; i < 11; i += 1) {
      const form = await client.get('/dashboard');
      last = (
        await client.post('/dashboard/login', { _csrf: DashboardClient.csrfOf(form.text), token: `bad${i}` })
      ).status;
    }
    expect(last).toBe(429);
    const form = await client.get('/dashboard');
    const refused = await client.post('/dashboard/login', {
      _csrf: DashboardClient.csrfOf(form.text),
      token,
    });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Слишком много');
    h.clock.advance(15 * 60_000);
    const later = await client.get('/dashboard');
    expect(
      (await client.post('/dashboard/login', { _csrf: DashboardClient.csrfOf(later.text), token })).status,
    ).toBe(303);
  });
});

describe('dashboard behind https (PUBLIC_URL)', () => {
  let h: Harness;
  let state: Awaited<ReturnType<typeof classChat>>;
  beforeAll(async () => {
    h = await Harness.start({ env: { PUBLIC_URL: 'https://moderation.school.example/' } });
    state = await classChat(h, { title: '11А' });
  });
  afterAll(() => h.stop());

  it('sends links to PUBLIC_URL, makes the cookie Secure, and forgets sessions past their time', async () => {
    h.api.privateMessage(state.teacher, '/dashboard');
    await h.settle();
    const link = lastLink(h, state.teacher.id);
    expect(link.startsWith('https://moderation.school.example/dashboard/signin/')).toBe(true);
    const client = new DashboardClient(h);
    const signed = await client.signInWith(link);
    const cookie = signed.response.headers.getSetCookie().find((c) => c.startsWith('ccm_dashboard='));
    expect(cookie).toMatch(/;\s*Secure/i);
    const db = h.db.database.db;
    expect(await db.select().from(schema.dashboardSessions)).toHaveLength(1);
    // Only hashes are kept: neither the link's token nor the cookie is in the database.
    const [session] = await db.select().from(schema.dashboardSessions);
    const [stored] = await db.select().from(schema.dashboardLinks);
    const secrets = [link.split('/').at(-1) ?? '', client.cookies.get('ccm_dashboard') ?? ''];
    for (const secret of secrets) {
      expect(secret).toHaveLength(43);
      expect(JSON.stringify([session, stored])).not.toContain(secret);
    }
    h.clock.advance(8 * 3600_000 + 1000);
    expect((await client.get('/dashboard/overview')).status).toBe(303);
    await h.app.jobs.run('prune-dashboard-sessions');
    expect(await db.select().from(schema.dashboardSessions)).toHaveLength(0);
    expect(await db.select().from(schema.dashboardLinks)).toHaveLength(0);
  });
});
