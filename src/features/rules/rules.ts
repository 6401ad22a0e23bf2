import type { Executor } from '../../db/client.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createRulesRepository } from '../../db/repos/rules.js';
import type { Translate } from '../../i18n/index.js';
import { formatRules, parseRules } from '../../moderation/rules.js';
import type { ChatSettings } from '../../moderation/settings.js';
import type { Services } from '../../runtime/services.js';

export interface ChatRules {
  version: number;
  rules: string[];
}

/**
 * The rules a chat has until its moderator sets its own: a students' chat, a parents' chat and a staff
 * chat are addressed differently. None repeats a number the settings can change: the footer says those.
 */
export function defaultRules(services: Services, chat: Pick<ChatRecord, 'settings'>): string {
  return services.texts.t(chat.settings.language)(`rules.default_${chat.settings.kind}`);
}

/** The chat's current rules: its own, or the defaults for its kind in its language. */
export async function currentRules(services: Services, ex: Executor, chat: ChatRecord): Promise<ChatRules> {
  const { rulesVersion } = chat;
  const cached = rulesVersion === undefined ? undefined : services.rulesByChat.get(chat.id);
  let current: { version: number; text: string | null } | undefined;
  if (cached && cached.version === rulesVersion) {
    current = cached;
  } else {
    current = await createRulesRepository(ex).current(chat.id);
    // Committed rules (the version the chat's locked record names), safe to keep for the next command.
    if (current && current.version === rulesVersion) {
      services.rulesByChat.set(chat.id, { version: current.version, text: current.text });
    }
  }
  const text = current?.text ?? defaultRules(services, chat);
  const parsed = parseRules(text);
  return { version: current?.version ?? 1, rules: parsed.ok ? parsed.rules : [text] };
}

/** The rules as `/rules` posts them (regulation 4.13.4: the moderator reminds everyone of them). */
export function rulesMessage(services: Services, chat: ChatRecord, rules: ChatRules): string {
  const t = services.texts.t(chat.settings.language);
  return [
    t('rules.header', { title: chat.title }),
    formatRules(rules.rules),
    rulesFooter(t, chat.settings),
  ].join('\n\n');
}

/**
 * What breaking the rules leads to, from the chat's settings: a strike each time, and a block for
 * `block_days` on the violation after `strike_limit` (4.13.5: "более трех раз").
 */
export function rulesFooter(
  t: Translate,
  settings: Pick<ChatSettings, 'strike_limit' | 'block_days' | 'block_mode'>,
): string {
  return t(settings.block_mode === 'ban' ? 'rules.footer_ban' : 'rules.footer_mute', {
    next: settings.strike_limit + 1,
    days: t('time.days', { count: settings.block_days }),
  });
}
