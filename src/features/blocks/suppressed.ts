import { createUpdatesRepository } from '../../db/repos/updates.js';
import type { MessageSuppressed } from '../../messenger/port.js';
import { fastLaneOf } from '../../outbox/enqueue.js';
import { privateChatOf, when } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';

/** A refused deletion is tried again this many times (MAX's per-chat rate, a passing outage). */
const DELETE_ATTEMPTS = 20;

/**
 * A member who may only read wrote anyway, where the platform has no read-only state (MAX). The message's
 * deletion is recorded in the outbox with this update (so a crash before it is performed does not lose
 * it), in the chat's fast lane: it waits behind no paced message and no other member action, and a refusal
 * for the rate is tried again within a second. They are told privately, once per block or gate entry, why and until when (a block), or that
 * the rules come first (a newcomer behind the gate).
 */
export async function onMessageSuppressed(
  services: Services,
  work: Work,
  event: MessageSuppressed,
): Promise<void> {
  const chat = await loadChat(services, work, event.chat);
  const address = { platform: event.chat.platform, platformChatId: event.chat.platformChatId };
  await work.enqueue(
    { type: 'delete', chat: address, messageId: event.messageId },
    {
      chatId: chat.id,
      lane: fastLaneOf(address),
      maxAttempts: DELETE_ATTEMPTS,
    },
  );
  // Told once per silence, whichever replica sees the message: the first one records it.
  const told = `told:${event.silence}:${event.user.userId}`;
  if (!(await createUpdatesRepository(work.tx).firstDelivery(event.chat.platform, told, work.now))) return;
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
