import type { Executor } from '../../db/client.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import { createRulesRepository } from '../../db/repos/rules.js';
import { formatRules, parseRules } from '../../moderation/rules.js';
import type { Services } from '../../runtime/services.js';

export interface ChatRules {
  version: number;
  rules: string[];
}

/** The chat's current rules: its own, or the defaults in its language. */
export async function currentRules(services: Services, ex: Executor, chat: ChatRecord): Promise<ChatRules> {
  const current = await createRulesRepository(ex).current(chat.id);
  const text = current?.text ?? services.texts.t(chat.settings.language)('rules.default');
  const parsed = parseRules(text);
  return { version: current?.version ?? 1, rules: parsed.ok ? parsed.rules : [text] };
}

/** The rules as `/rules` posts them (regulation 4.13.4: the moderator reminds everyone of them). */
export function rulesMessage(services: Services, chat: ChatRecord, rules: ChatRules): string {
  const t = services.texts.t(chat.settings.language);
  return [
    t('rules.header', { title: chat.title }),
    formatRules(rules.rules),
    t('rules.footer', { count: chat.settings.strike_limit }),
  ].join('\n\n');
}
