import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { api, type School, school } from '../../support/roster.js';

describe('4.13.8 roster input a database cannot hold is refused, and pupils’ names stay out of the logs', () => {
  let h: Harness;
  let s: School;
  beforeAll(async () => {
    h = await Harness.start({ captureLogs: true });
    s = await school(h);
  });
  afterAll(() => h.stop());

  const enrol = (fields: Record<string, unknown>) => ({
    events: [{ id: 'n1', type: 'student.enrolled', studentId: 'S9', classCode: '7Б', ...fields }],
  });

  it.each([
    ['a NUL byte in a name', enrol({ name: 'Мария\u0000Иванова' }), 'events'],
    ['a lone surrogate in a name', enrol({ name: 'Мария \uD800Иванова' }), 'events'],
    ['a line break in a name', enrol({ name: 'Мария\nИванова' }), 'events'],
    ['a NUL byte in an event id', enrol({ id: 'n\u00001', name: 'Мария Иванова' }), 'events'],
    ['a NUL byte in a student id', enrol({ studentId: 'S\u00009', name: 'Мария Иванова' }), 'events'],
    [
      'a NUL byte in a snapshot name',
      { students: [{ id: 'S1', classCode: '7Б', name: 'Мария\u0000Иванова' }], guardians: [], staff: [] },
      'snapshot',
    ],
  ])('answers %s with 400 and applies nothing', async (_case, body, kind) => {
    const answer =
      kind === 'events'
        ? await api(h, 'POST', '/api/v1/roster/events', { token: s.token, body })
        : await api(h, 'PUT', '/api/v1/roster', { token: s.token, body });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).not.toContain('Мария');
  });

  it('wrote no pupil’s name to the log', () => {
    expect(h.logLines.join('\n')).not.toMatch(/Мария|Иванова|Иван Петров|Анна Петрова/);
  });
});
