import type { Translate } from '../../i18n/index.js';
import type { ChatSettings, SettingKey } from '../../moderation/settings.js';

/**
 * Settings as a moderator reads them: a name and a value in words ("Вид блокировки: только чтение"),
 * never the codes typed after `/settings` ("block_mode mute"). `/settings` and `/log` share them.
 */
export function settingName(t: Translate, key: SettingKey): string {
  return t(`settings.name.${key}`);
}

export function settingValue(t: Translate, key: SettingKey, value: unknown): string {
  if (value === null || value === undefined || value === '') return t('settings.not_set');
  switch (key) {
    case 'strike_limit':
      return t('settings.value.strike_limit', { count: Number(value), next: Number(value) + 1 });
    case 'block_days':
    case 'strike_days':
    case 'invite_link_days':
      return t('time.days', { count: Number(value) });
    case 'vote_hours':
    case 'gate_hours':
      return t('time.hours', { count: Number(value) });
    case 'block_mode':
      return t(value === 'ban' ? 'settings.value.block_mode_ban' : 'settings.value.block_mode_mute');
    case 'rules_gate':
      return t(value === 'off' ? 'settings.value.rules_gate_off' : 'settings.value.rules_gate_on');
    case 'language':
      return t(value === 'en' ? 'settings.value.language_en' : 'settings.value.language_ru');
    case 'kind':
      return t(`settings.value.kind_${value as ChatSettings['kind']}`);
    case 'heat_minutes':
      return t('time.minutes', { count: Number(value) });
    case 'quiet_hours':
      return quietHoursWords(t, String(value));
    case 'flood': {
      const [messages, seconds] = String(value).split('/');
      return value === 'off' || !seconds
        ? t('settings.value.flood_off')
        : t('settings.value.flood', { count: Number(messages), seconds: Number(seconds) });
    }
    case 'announce_only':
      return t(value === 'on' ? 'settings.value.announce_only_on' : 'settings.value.announce_only_off');
    default:
      return String(value);
  }
}

/** `22:00-07:00` as «с 22:00 до 07:00»; `off` as «выключены». */
export function quietHoursWords(t: Translate, value: string): string {
  const [from, to] = value.split('-');
  return value === 'off' || !to
    ? t('settings.value.quiet_hours_off')
    : t('settings.value.quiet_hours', { from, to });
}

/** The choices a moderator may type, each with its meaning: "mute (только чтение), ban (…)". */
export function settingChoices(t: Translate, key: SettingKey, choices: readonly string[]): string {
  return choices.map((choice) => `${choice} (${settingValue(t, key, choice)})`).join(', ');
}
