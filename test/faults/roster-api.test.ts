import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { Harness } from '../support/harness.js';
import { api, type School, school } from '../support/roster.js';

/** Row counts of every table the roster API could touch: "unchanged" means all of these stay put. */
async function fingerprint(h: Harness): Promise<Record<string, number>> {
  const tables = [
    'persons',
    'guardianships',
    'person_accounts',
    'roster_events',
    'removals',
    'invitations',
    'outbox',
    'audit_log',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await h.db.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`));
    const rows = Array.isArray(result) ? result : (result as unknown as { rows: Array<{ n: number }> }).rows;
    counts[table] = Number((rows[0] as { n: number } | undefined)?.n ?? 0);
  }
  const status = await h.db.database.db.execute(
    sql.raw(
      `select string_agg(kind || external_id || status || coalesce(class_code, ''), ',' order by id) as s from persons`,
    ),
  );
  const statusRows = Array.isArray(status)
    ? status
    : (status as unknown as { rows: Array<{ s: string }> }).rows;
  counts[`persons:${String((statusRows[0] as { s: string } | undefined)?.s)}`] = 1;
  return counts;
}

describe('the roster API under malformed requests', () => {
  let h: Harness;
  let s: School;
  let otherToken: string;

  beforeAll(async () => {
    h = await Harness.start();
    s = await school(h);
    const other = await createRosterRepository(h.db.database.db).createSchool('Лицей', h.clock.now());
    otherToken = await createRosterRepository(h.db.database.db).createToken(other.id, 'other', h.clock.now());
    await api(h, 'POST', '/api/v1/roster/events', {
      token: otherToken,
      body: { events: [{ id: 'x1', type: 'student.enrolled', studentId: 'L1', classCode: '5А' }] },
    });
    await h.settle();
  });

  afterAll(async () => {
    await h?.stop();
  });

  const ev = (event: Record<string, unknown>) => ({ events: [{ id: `m${Math.random()}`, ...event }] });
  const huge = 'x'.repeat(5 * 1024 * 1024);

  const cases: Array<{
    name: string;
    method: 'POST' | 'PUT' | 'GET';
    path: string;
    token?: string | null;
    raw?: string;
    body?: unknown;
    contentType?: string;
    status: number;
  }> = [
    {
      name: 'no token',
      method: 'POST',
      path: '/api/v1/roster/events',
      token: null,
      body: ev({ type: 'student.departed', studentId: 'S1' }),
      status: 401,
    },
    {
      name: 'empty bearer',
      method: 'POST',
      path: '/api/v1/roster/events',
      token: '',
      body: ev({ type: 'student.departed', studentId: 'S1' }),
      status: 401,
    },
    {
      name: 'garbage token',
      method: 'POST',
      path: '/api/v1/roster/events',
      token: 'hello',
      body: ev({ type: 'student.departed', studentId: 'S1' }),
      status: 401,
    },
    {
      name: 'token of a missing id',
      method: 'POST',
      path: '/api/v1/roster/events',
      token: 'ccm_999_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      body: ev({ type: 'student.departed', studentId: 'S1' }),
      status: 401,
    },
    {
      name: 'right id, wrong secret',
      method: 'PUT',
      path: '/api/v1/roster',
      token: 'ccm_1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      body: { students: [], guardians: [], staff: [] },
      status: 401,
    },
    { name: 'stats without token', method: 'GET', path: '/api/v1/stats', token: null, status: 401 },
    {
      name: 'invitation without token',
      method: 'POST',
      path: '/api/v1/invitations',
      token: null,
      body: { kind: 'student', id: 'S1' },
      status: 401,
    },
    { name: 'not JSON', method: 'POST', path: '/api/v1/roster/events', raw: 'events=1', status: 400 },
    {
      name: 'truncated JSON',
      method: 'POST',
      path: '/api/v1/roster/events',
      raw: '{"events":[{"id":"a"',
      status: 400,
    },
    { name: 'JSON null', method: 'POST', path: '/api/v1/roster/events', raw: 'null', status: 400 },
    { name: 'JSON array', method: 'POST', path: '/api/v1/roster/events', raw: '[]', status: 400 },
    {
      name: 'events not an array',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: { events: {} },
      status: 400,
    },
    {
      name: 'no events field',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: { event: [] },
      status: 400,
    },
    {
      name: 'empty events',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: { events: [] },
      status: 400,
    },
    {
      name: 'event is a string',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: { events: ['student.departed'] },
      status: 400,
    },
    {
      name: 'event is null',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: { events: [null] },
      status: 400,
    },
    {
      name: 'unknown type',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.graduated', studentId: 'S1' }),
      status: 400,
    },
    {
      name: 'type missing',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ studentId: 'S1' }),
      status: 400,
    },
    {
      name: 'id missing',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: { events: [{ type: 'student.departed', studentId: 'S1' }] },
      status: 400,
    },
    {
      name: 'id a number',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: { events: [{ id: 5, type: 'student.departed', studentId: 'S1' }] },
      status: 400,
    },
    {
      name: 'studentId a number',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.departed', studentId: 1 }),
      status: 400,
    },
    {
      name: 'studentId empty',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.departed', studentId: '' }),
      status: 400,
    },
    {
      name: 'studentId with spaces',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.departed', studentId: 'S 1' }),
      status: 400,
    },
    {
      name: 'classCode too long',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.enrolled', studentId: 'S9', classCode: '7'.repeat(40) }),
      status: 400,
    },
    {
      name: 'classCode an object',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.enrolled', studentId: 'S9', classCode: { a: 1 } }),
      status: 400,
    },
    {
      name: 'name too long',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'staff.hired', staffId: 'T9', name: 'я'.repeat(500) }),
      status: 400,
    },
    {
      name: 'departure of an unknown student',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.departed', studentId: 'S404' }),
      status: 400,
    },
    {
      name: 'another school’s student',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'student.departed', studentId: 'L1' }),
      status: 400,
    },
    {
      name: 'another school’s student by its own token, as a transfer',
      method: 'POST',
      path: '/api/v1/roster/events',
      token: 'other',
      body: ev({ type: 'student.transferred', studentId: 'S1', classCode: '9А' }),
      status: 400,
    },
    {
      name: 'unlink of an unknown guardian',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'guardian.unlinked', guardianId: 'G404', studentId: 'S1' }),
      status: 400,
    },
    {
      name: 'link to an unknown student',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'guardian.linked', guardianId: 'G1', studentId: 'S404' }),
      status: 400,
    },
    {
      name: 'staff departure of an unknown employee',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: ev({ type: 'staff.departed', staffId: 'T404' }),
      status: 400,
    },
    {
      name: 'one bad event among good ones',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: {
        events: [
          { id: 'g1', type: 'student.departed', studentId: 'S1' },
          { id: 'g2', type: 'nope' },
        ],
      },
      status: 400,
    },
    {
      name: 'the same id twice',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: {
        events: [
          { id: 'dup', type: 'student.departed', studentId: 'S1' },
          { id: 'dup', type: 'student.departed', studentId: 'S2' },
        ],
      },
      status: 400,
    },
    {
      name: 'too many events',
      method: 'POST',
      path: '/api/v1/roster/events',
      body: {
        events: Array.from({ length: 5001 }, (_, i) => ({
          id: `t${i}`,
          type: 'staff.hired',
          staffId: `X${i}`,
        })),
      },
      status: 400,
    },
    {
      name: 'huge body',
      method: 'POST',
      path: '/api/v1/roster/events',
      raw: `{"events":[{"id":"h","type":"staff.hired","staffId":"T9","name":"${huge}"}]}`,
      status: 413,
    },
    {
      name: 'huge snapshot',
      method: 'PUT',
      path: '/api/v1/roster',
      raw: `{"students":[],"guardians":[],"staff":[],"x":"${huge}"}`,
      status: 413,
    },
    {
      name: 'text/plain',
      method: 'POST',
      path: '/api/v1/roster/events',
      raw: '{"events":[]}',
      contentType: 'text/plain',
      status: 415,
    },
    {
      name: 'form encoded',
      method: 'PUT',
      path: '/api/v1/roster',
      raw: 'students=1',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
    },
    {
      name: 'snapshot missing staff',
      method: 'PUT',
      path: '/api/v1/roster',
      body: { students: [], guardians: [] },
      status: 400,
    },
    {
      name: 'snapshot students not an array',
      method: 'PUT',
      path: '/api/v1/roster',
      body: { students: 'S1', guardians: [], staff: [] },
      status: 400,
    },
    {
      name: 'snapshot with a duplicate student',
      method: 'PUT',
      path: '/api/v1/roster',
      body: {
        students: [
          { id: 'S1', classCode: '7Б' },
          { id: 'S1', classCode: '8А' },
        ],
        guardians: [],
        staff: [],
      },
      status: 400,
    },
    {
      name: 'snapshot guardian of a missing student',
      method: 'PUT',
      path: '/api/v1/roster',
      body: {
        students: [{ id: 'S1', classCode: '7Б' }],
        guardians: [{ id: 'G1', studentIds: ['S2'] }],
        staff: [],
      },
      status: 400,
    },
    {
      name: 'invitation for an unknown kind',
      method: 'POST',
      path: '/api/v1/invitations',
      body: { kind: 'parent', id: 'G1' },
      status: 400,
    },
    {
      name: 'invitation for another school’s person',
      method: 'POST',
      path: '/api/v1/invitations',
      body: { kind: 'student', id: 'L1' },
      status: 404,
    },
    { name: 'wrong method on events', method: 'GET', path: '/api/v1/roster/events', status: 405 },
    { name: 'wrong method on roster', method: 'POST', path: '/api/v1/roster', body: {}, status: 405 },
    { name: 'unknown path', method: 'GET', path: '/api/v2/roster', status: 404 },
  ];

  it(`answers each of ${cases.length} malformed requests with the right 4xx and changes nothing`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const before = await fingerprint(h);
    for (const c of cases) {
      const token = c.token === null ? undefined : c.token === 'other' ? otherToken : (c.token ?? s.token);
      const response = await api(h, c.method, c.path, {
        ...(token !== undefined ? { token } : {}),
        ...(c.raw !== undefined ? { raw: c.raw } : {}),
        ...(c.body !== undefined ? { body: c.body } : {}),
        ...(c.contentType ? { contentType: c.contentType } : {}),
      });
      expect(response.status, c.name).toBe(c.status);
      if (c.status !== 405 && c.status !== 404) expect(typeof response.body.error, c.name).toBe('string');
    }
    await h.settle();
    expect(await fingerprint(h)).toEqual(before);
  }, 120_000);
});
