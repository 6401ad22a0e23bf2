import { describe, expect, it } from 'vitest';
import { changeSetting, defaultSettings, readSettings } from '../../src/moderation/settings.js';

describe('chat settings', () => {
  it('defaults follow SPEC.md', () => {
    expect(defaultSettings('ru')).toEqual({
      strike_limit: 3,
      block_days: 7,
      block_mode: 'mute',
      vote_hours: 24,
      rules_gate: 'on',
      language: 'ru',
      class: null,
      kind: 'class',
      strike_days: 365,
      gate_hours: 48,
      invite_link_days: 7,
      heat_messages: 30,
      heat_minutes: 5,
      heat_flagged: 2,
      quiet_hours: 'off',
      announce_only: 'off',
      flood: '7/60',
    });
  });

  it.each([
    ['22:00-07:00', '22:00-07:00'],
    ['22.00 – 7:00', '22:00-07:00'],
    ['off', 'off'],
    ['выкл', 'off'],
  ])('quiet_hours %s is stored as %s', (raw, value) => {
    const change = changeSetting({}, 'quiet_hours', raw);
    expect(change).toMatchObject({ ok: true, value });
  });

  it.each(['25:00-07:00', '22:00', 'всегда'])('refuses quiet_hours %s', (raw) => {
    expect(changeSetting({}, 'quiet_hours', raw)).toMatchObject({ ok: false, problem: 'invalid_value' });
  });

  it.each([
    { key: 'strike_limit', raw: '4', value: 4 },
    { key: 'STRIKE_LIMIT', raw: '10', value: 10 },
    { key: 'block_days', raw: '31', value: 31 },
    { key: 'block_mode', raw: 'BAN', value: 'ban' },
    { key: 'vote_hours', raw: '12', value: 12 },
    { key: 'strike_limit', raw: '3', value: 3 },
    { key: 'rules_gate', raw: 'off', value: 'off' },
    { key: 'rules_gate', raw: 'выкл', value: 'off' },
    { key: 'rules_gate', raw: 'да', value: 'on' },
    { key: 'language', raw: 'en', value: 'en' },
    { key: 'class', raw: '7б', value: '7Б' },
    { key: 'class', raw: '-', value: null },
    { key: 'strike_days', raw: '30', value: 30 },
    { key: 'kind', raw: 'Parents', value: 'parents' },
    { key: 'gate_hours', raw: '72', value: 72 },
    { key: 'invite_link_days', raw: '1', value: 1 },
    { key: 'invite_link_days', raw: '30', value: 30 },
  ])('$key $raw → $value', ({ key, raw, value }) => {
    const change = changeSetting({}, key, raw);
    expect(change).toMatchObject({ ok: true, value });
    if (change.ok) expect(change.overrides[key.toLowerCase()]).toEqual(value);
  });

  it.each([
    { key: 'strike_limit', raw: '0' },
    { key: 'strike_limit', raw: '11' },
    { key: 'strike_limit', raw: 'three' },
    { key: 'strike_limit', raw: '2.5' },
    { key: 'strike_limit', raw: '-1' },
    { key: 'block_days', raw: '32' },
    { key: 'block_mode', raw: 'kick' },
    { key: 'vote_hours', raw: '0' },
    { key: 'vote_hours', raw: '11' },
    { key: 'strike_limit', raw: '2' },
    { key: 'rules_gate', raw: 'maybe' },
    { key: 'language', raw: 'de' },
    { key: 'class', raw: '7 Б' },
    { key: 'class', raw: 'a-very-long-class-code' },
    { key: 'kind', raw: 'teachers' },
    { key: 'invite_link_days', raw: '0' },
    { key: 'invite_link_days', raw: '31' },
  ])('$key $raw is refused as an invalid value', ({ key, raw }) => {
    expect(changeSetting({ strike_limit: 5 }, key, raw)).toEqual({
      ok: false,
      problem: 'invalid_value',
      key,
    });
  });

  it('refuses an unknown key', () => {
    expect(changeSetting({}, 'strikes', '3')).toEqual({ ok: false, problem: 'unknown_key', key: 'strikes' });
  });

  it('keeps other overrides when one changes', () => {
    const change = changeSetting({ block_mode: 'ban' }, 'strike_limit', '5');
    expect(change.ok && change.overrides).toEqual({ block_mode: 'ban', strike_limit: 5 });
  });

  it('reads stored overrides over defaults and ignores values that are no longer valid', () => {
    const settings = readSettings({ strike_limit: 5, block_days: 400, block_mode: 'kick', unknown: 1 }, 'en');
    expect(settings).toMatchObject({ strike_limit: 5, block_days: 7, block_mode: 'mute', language: 'en' });
    expect(settings).not.toHaveProperty('unknown');
    expect(readSettings(null, 'ru')).toEqual(defaultSettings('ru'));
  });

  it('reads a strike_limit stored below 3 as 3, and a vote shorter than 12 hours as the default (4.13.5, 4.13.6)', () => {
    expect(readSettings({ strike_limit: 1, vote_hours: 3 }, 'ru')).toMatchObject({
      strike_limit: 3,
      vote_hours: 24,
    });
  });
});
