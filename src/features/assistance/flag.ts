import { type AccountRecord, createAdminsRepository } from '../../db/repos/accounts.js';
import { createAssistanceRepository } from '../../db/repos/assistance.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import type { ButtonSpec, MessagePosted } from '../../messenger/port.js';
import { checkMessage, type Finding } from '../../moderation/assistance/detect.js';
import { HEAT, noteHeat } from '../../moderation/assistance/heat.js';
import { readFlagSettings, ruleFor } from '../../moderation/assistance/settings.js';
import { parseFlood } from '../../moderation/settings.js';
import { displayName, excerpt, privateChatOf } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { isModerator } from '../membership/moderators.js';
import { moderatorRuleIn } from '../membership/staff.js';
import { currentRules } from '../rules/rules.js';
import { remindRules } from './heat.js';
import { remindDuringQuietHours } from './quiet.js';
import { chatState, noteForFlood, suggestionSlotOpen, takeSuggestionSlot } from './state.js';

/** Callback data of a suggestion's buttons: `f:<suggestion id>:<s|d|n>` (strike, delete, not a violation). */
export const FLAG_BUTTON_PREFIX = 'f:';

const DISMISSAL_TTL_MS = 60_000;

async function dismissals(services: Services, chat: ChatRecord, now: Date) {
  const state = chatState(services, chat.id);
  if (state.dismissed && now.getTime() - state.dismissed.loadedAt < DISMISSAL_TTL_MS) return state.dismissed;
  const rows = await createAssistanceRepository(services.db).dismissals(chat.id, now);
  const patterns = new Set<string>();
  const members = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.accountId === null) patterns.add(row.pattern);
    else
      members.set(String(row.accountId), (members.get(String(row.accountId)) ?? new Set()).add(row.pattern));
  }
  state.dismissed = { patterns, members, loadedAt: now.getTime() };
  return state.dismissed;
}

/**
 * The check of an ordinary group message (4.13.2): local, cheap, and it never decides. A flagged message
 * from someone who is not a moderator becomes one private suggestion to the chat's moderators. Any
 * failure here is logged and dropped: flagging must never hold up the chat's other events.
 */
export async function checkGroupMessage(
  services: Services,
  event: MessagePosted,
  cached: ChatRecord | undefined,
): Promise<void> {
  const { sender } = event;
  if (sender.kind !== 'user' || sender.user.isBot || !event.text) return;
  try {
    const now = services.clock.now();
    const chat = cached ?? (await services.transact((work) => loadChat(services, work, event.chat)));
    const settings = readFlagSettings(chat.overrides);
    const state = chatState(services, chat.id);
    const flooding = noteForFlood(state, sender.user.userId, now.getTime(), parseFlood(chat.settings.flood));
    let findings: Finding[] = checkMessage(event.text, {
      ownWords: settings.words,
      ownLinks: settings.ownLinks,
    });
    if (flooding) findings.push({ signal: 'flooding', pattern: 'flooding' });
    if (findings.length > 0) {
      const dismissed = await dismissals(services, chat, now);
      findings = findings.filter((finding) => !dismissed.patterns.has(finding.pattern));
    }
    const hot = noteHeat(
      state.heat,
      { at: now.getTime(), user: sender.user.userId, flagged: findings.length > 0 },
      {
        messages: chat.settings.heat_messages,
        minutes: chat.settings.heat_minutes,
        flagged: chat.settings.heat_flagged,
      },
    );
    if (hot) {
      state.heat.length = 0;
      // The database keeps the durable time; this process skips asking it again within the 6 hours.
      if (state.remindedAt === undefined || now.getTime() - state.remindedAt >= HEAT.reminderEveryMs) {
        state.remindedAt = now.getTime();
        await remindRules(services, chat);
      }
    }
    const quiet = chat.settings.quiet_hours !== 'off';
    if (findings.length === 0 && !quiet) return;
    if (await isModerator(services, chat, sender)) return;
    if (quiet) await remindDuringQuietHours(services, chat, sender.user, now);
    // Past the minute's suggestions and its summary, a flagged message costs no database work.
    if (findings.length === 0 || !suggestionSlotOpen(state, now.getTime())) return;
    const dismissed = await dismissals(services, chat, now);
    await services.transact(async (work) => {
      const account = await saveAccount(services, work, chat.platform, sender.user);
      const personal = dismissed.members.get(String(account.id));
      const left = findings.filter((finding) => !personal?.has(finding.pattern));
      const first = left[0];
      if (!first) return;
      await suggest(services, work, chat, account, event, first);
    });
  } catch (error) {
    services.log.warn({ err: error }, 'checking a message for the moderators failed; skipped');
  }
}

async function suggest(
  services: Services,
  work: Work,
  chat: ChatRecord,
  account: AccountRecord,
  event: MessagePosted,
  finding: Finding,
): Promise<void> {
  const rules = await currentRules(services, work.tx, chat);
  const rule = ruleFor(finding.signal, rules.rules, readFlagSettings(chat.overrides));
  const slot = takeSuggestionSlot(chatState(services, chat.id), work.now.getTime());
  if (slot === 'quiet') return;
  const suggestion = await createAssistanceRepository(work.tx).insertSuggestion({
    chatId: chat.id,
    accountId: account.id,
    messageId: event.messageId,
    excerpt: excerpt(event.text, 300),
    signal: finding.signal,
    pattern: finding.pattern,
    ruleNumber: rule,
    createdAt: work.now,
  });
  if (!suggestion) return;
  const access = await moderatorRuleIn(services, work, chat);
  const moderators = (await createAdminsRepository(work.tx).reachableModerators(chat.id)).filter(
    (admin) => !access.staffOnly || access.staff.has(admin.platformUserId),
  );
  for (const moderator of moderators) {
    const t = services.texts.t(services.texts.languageFor(moderator.languageCode ?? undefined));
    if (slot === 'summary') {
      await work.enqueue({
        type: 'send',
        chat: privateChatOf(moderator),
        text: t('assistance.summary', { title: chat.title }),
      });
      continue;
    }
    const data = (choice: 's' | 'd' | 'n') => `${FLAG_BUTTON_PREFIX}${suggestion.id}:${choice}`;
    const buttons: ButtonSpec[][] = [];
    if (rule !== null) buttons.push([{ text: t('assistance.button_strike', { rule }), data: data('s') }]);
    buttons.push([
      { text: t('assistance.button_delete'), data: data('d') },
      { text: t('assistance.button_dismiss'), data: data('n') },
    ]);
    const text = [
      t('assistance.suggestion', {
        title: chat.title,
        name: displayName(account),
        signal: t(`assistance.signal.${finding.signal}`),
      }),
      `«${suggestion.excerpt ?? ''}»`,
      rule === null
        ? t('assistance.no_rule')
        : t('assistance.suspected_rule', { rule, text: rules.rules[rule - 1] }),
      t('assistance.never_automatic'),
    ].join('\n\n');
    await work.enqueue({ type: 'send', chat: privateChatOf(moderator), text, options: { buttons } });
  }
}
