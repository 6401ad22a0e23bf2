import type { MessageSuppressed } from '../../messenger/port.js';
import { privateChatOf, when } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';

/**
 * A member who may only read wrote anyway, where the platform has no read-only state and the connector
 * deleted the message (MAX): they are told privately, once, why and until when (a block), or that the
 * rules come first (a newcomer behind the gate).
 */
export async function onMessageSuppressed(
  services: Services,
  work: Work,
  event: MessageSuppressed,
): Promise<void> {
  const chat = await loadChat(services, work, event.chat);
  const t = services.texts.t(chat.settings.language);
  const text = event.until
    ? t('block.readonly_emulated', {
        title: chat.title,
        until: when(services, event.until, chat.settings.language),
      })
    : t('gate.readonly_emulated', { title: chat.title });
  await work.enqueue(
    {
      type: 'send',
      chat: privateChatOf({ platform: event.chat.platform, platformUserId: event.user.userId }),
      text,
    },
    { chatId: chat.id },
  );
}
