import { createChatsRepository } from '../../db/repos/chats.js';
import { createDashboardChatRepository } from '../../db/repos/dashboard-chat.js';
import { createDashboardViewsRepository } from '../../db/repos/dashboard-views.js';
import type { Translate } from '../../i18n/index.js';
import { SETTING_KEYS } from '../../moderation/settings.js';
import type { Services } from '../../runtime/services.js';
import { settingName, settingValue } from '../chat-admin/setting-words.js';
import type { Viewer } from './access.js';

/** A chat's page: its rules by version with their acceptances, its settings in words, its members' standing. */
export async function chatPage(services: Services, viewer: Viewer, chatId: number, t: Translate) {
  if (!viewer.chatIds.includes(chatId)) return undefined;
  const chat = await createChatsRepository(services.db, services.deps.defaultLanguage).byId(chatId);
  if (!chat) return undefined;
  const repo = createDashboardChatRepository(services.db);
  const rules = await repo.rulesVersions(chatId);
  const current = (await createDashboardViewsRepository(services.db).currentRulesVersions([chatId])).get(
    chatId,
  );
  const members = await repo.members(chatId, current, services.clock.now());
  const settings = SETTING_KEYS.map((key) => ({
    key,
    name: settingName(t, key),
    value: settingValue(t, key, chat.settings[key]),
  }));
  return { chat, rules, currentVersion: current, members, settings };
}
