import { createAdminsRepository } from '../../db/repos/accounts.js';
import { createAuditRepository } from '../../db/repos/audit.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import type { MemberLeft, MemberStatusChanged } from '../../messenger/port.js';
import { displayName, privateChatOf } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { saveAccount } from './members.js';

/**
 * 4.13.7: nobody is removed or blocked for reasons outside the rules. The bot's own removals and blocks
 * carry a strike trail or a roster event; one an administrator makes by hand in the messenger carries
 * neither, so it is written to the audit log with who did it, and the chat's other moderators are told
 * privately that it cited no rule.
 */
export async function noteManualSanction(
  services: Services,
  work: Work,
  chat: ChatRecord,
  event: MemberLeft | MemberStatusChanged,
): Promise<void> {
  const by = event.by;
  const self = services.platform(chat.platform).self.userId;
  if (!by || by.isBot || by.userId === self || by.userId === event.member.userId) return;
  const removed = event.status === 'kicked';
  const restricted =
    event.kind === 'member_status' && event.status === 'restricted' && event.previous !== 'restricted';
  if (!removed && !restricted) return;
  const actor = await saveAccount(services, work, chat.platform, by);
  const target = await saveAccount(services, work, chat.platform, event.member);
  await createAuditRepository(work.tx).append({
    at: work.now,
    schoolId: chat.schoolId,
    chatId: chat.id,
    actorKind: 'moderator',
    actorAccountId: actor.id,
    actorName: displayName(actor),
    action: removed ? 'manual_removal' : 'manual_restriction',
    targetAccountId: target.id,
    reason: 'no rule cited',
  });
  const moderators = await createAdminsRepository(work.tx).reachableModerators(chat.id);
  for (const moderator of moderators) {
    if (moderator.id === actor.id) continue;
    const t = services.texts.t(services.texts.languageFor(moderator.languageCode ?? undefined));
    const text = t(removed ? 'moderation.manual_removal' : 'moderation.manual_restriction', {
      actor: displayName(actor),
      target: displayName(target),
      title: chat.title,
    });
    await work.enqueue({ type: 'send', chat: privateChatOf(moderator), text });
  }
}
