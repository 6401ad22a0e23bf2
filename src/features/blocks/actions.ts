import type { BlockRow } from '../../db/repos/blocks.js';
import type { ChatRecord } from '../../db/repos/chats.js';
import type { Action } from '../../outbox/actions.js';
import { chatAddress } from '../../runtime/format.js';

/** The platform action that puts a block in place: read-only until the end, or removal until the end. */
export function applyAction(
  chat: ChatRecord,
  userId: string,
  block: Pick<BlockRow, 'mode' | 'endsAt'>,
): Action {
  const address = chatAddress(chat);
  return block.mode === 'ban'
    ? { type: 'ban', chat: address, userId, until: block.endsAt.toISOString() }
    : { type: 'mute', chat: address, userId, until: block.endsAt.toISOString() };
}

/** The platform action that lifts a block; a ban is lifted only if it is still in place. */
export function liftAction(chat: ChatRecord, userId: string, block: Pick<BlockRow, 'mode'>): Action {
  const address = chatAddress(chat);
  return block.mode === 'ban'
    ? { type: 'unban', chat: address, userId }
    : { type: 'unmute', chat: address, userId };
}
