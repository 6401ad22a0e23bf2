import {
  type ActionPerformer,
  type ButtonSpec,
  type ChatAddress,
  type ChatPermissions,
  type MemberStatus,
  MessengerError,
  type Platform,
  type SendOptions,
} from '../messenger/port.js';

const PRESENT: ReadonlySet<MemberStatus> = new Set(['creator', 'administrator', 'member', 'restricted']);

/**
 * A platform action as data: what the core decided, stored in the outbox until a connector performs
 * it. Dates are ISO strings so the action survives the JSON column unchanged.
 */
export type Action =
  | { type: 'send'; chat: ChatAddress; text: string; options?: SendOptions }
  /** A file (a person's data export, 152-ФЗ); as text messages where the platform takes no files. */
  | { type: 'send_document'; chat: ChatAddress; filename: string; content: string; caption: string }
  | { type: 'edit'; chat: ChatAddress; messageId: string; text: string; buttons?: ButtonSpec[][] }
  | { type: 'delete'; chat: ChatAddress; messageId: string }
  | { type: 'mute'; chat: ChatAddress; userId: string; until?: string }
  | { type: 'unmute'; chat: ChatAddress; userId: string }
  | { type: 'ban'; chat: ChatAddress; userId: string; until?: string }
  | { type: 'unban'; chat: ChatAddress; userId: string }
  | { type: 'approve_join'; chat: ChatAddress; userId: string }
  | { type: 'decline_join'; chat: ChatAddress; userId: string }
  | { type: 'create_invite'; chat: ChatAddress; name: string; expiresAt?: string }
  | { type: 'revoke_invite'; chat: ChatAddress; url: string }
  /** Quiet hours and announce_only: close the chat for members, or give back what it had. */
  | { type: 'set_read_only'; chat: ChatAddress; readOnly: boolean; saved?: ChatPermissions }
  /** Enqueued before set_read_only existed (still in an outbox after an upgrade): these permissions. */
  | { type: 'set_permissions'; chat: ChatAddress; permissions: ChatPermissions };

export type ActionType = Action['type'];

/** What an action returned, kept with the row and given to its done-handler. */
export type ActionResult = { messageId?: string; url?: string } | null;

/**
 * Actions on a member (or a member's message): they wait apart from the chat's messages (enqueue.ts
 * `laneOf`), so that a mute never waits behind messages paced to the platform's limits.
 */
export const MEMBER_ACTIONS: ReadonlySet<Action['type']> = new Set([
  'mute',
  'unmute',
  'ban',
  'unban',
  'delete',
  'approve_join',
  'decline_join',
]);

/** Actions that put a message in front of people, and so count against the platform's message limits. */
export const MESSAGE_TYPES = ['send', 'edit', 'send_document'] as const satisfies readonly Action['type'][];

export function isMessageAction(action: Action): boolean {
  return (MESSAGE_TYPES as readonly string[]).includes(action.type);
}

/**
 * Member actions paced like messages (a chat's member lane, counted apart): Telegram publishes no limits
 * for them, and a burst of bans or lifts past the message figures meets 429s. Deletions are not paced: they
 * follow what people write (a refused command, a blocked member's message on MAX) and must not wait
 * behind each other, nor hold a mute waiting behind them.
 */
export function isPacedMemberAction(action: Action): boolean {
  return action.type !== 'delete' && MEMBER_ACTIONS.has(action.type);
}

export function platformOf(action: Action): Platform {
  return action.chat.platform;
}

/** A file sent as text goes in pieces that fit one message on every platform. */
const TEXT_CHUNK = 3500;

/** Performs one action through a connector. Outcomes the caller wanted anyway count as success. */
export async function perform(messenger: ActionPerformer, action: Action): Promise<ActionResult> {
  switch (action.type) {
    case 'send': {
      const sent = await messenger.send(action.chat, action.text, action.options);
      return { messageId: sent.messageId };
    }
    case 'send_document': {
      const document = { filename: action.filename, content: action.content, caption: action.caption };
      if (messenger.sendDocument)
        return { messageId: (await messenger.sendDocument(action.chat, document)).messageId };
      let sent = await messenger.send(action.chat, action.caption);
      for (let at = 0; at < action.content.length; at += TEXT_CHUNK) {
        sent = await messenger.send(action.chat, action.content.slice(at, at + TEXT_CHUNK));
      }
      return { messageId: sent.messageId };
    }
    case 'edit':
      await messenger.edit(action.chat, action.messageId, action.text, action.buttons);
      return null;
    case 'delete':
      await messenger.delete(action.chat, action.messageId);
      return null;
    case 'mute':
      await messenger.mute(action.chat, action.userId, action.until ? new Date(action.until) : undefined);
      return null;
    case 'unmute':
      await messenger.unmute(action.chat, action.userId);
      return null;
    case 'ban':
      await messenger.ban(action.chat, action.userId, action.until ? new Date(action.until) : undefined);
      return null;
    case 'unban':
      await messenger.unban(action.chat, action.userId);
      return null;
    case 'approve_join':
      try {
        await messenger.approve(action.chat, action.userId);
      } catch (error) {
        // An approval whose answer was lost leaves no request to approve: if they are in, it was done.
        const gone =
          error instanceof MessengerError && ['NO_JOIN_REQUEST', 'ALREADY_PARTICIPANT'].includes(error.code);
        if (!gone || !PRESENT.has(await messenger.memberStatus(action.chat, action.userId))) throw error;
      }
      return null;
    case 'set_permissions':
      await messenger.setChatReadOnly(action.chat, false, action.permissions);
      return null;
    case 'set_read_only':
      await messenger.setChatReadOnly(action.chat, action.readOnly, action.saved);
      return null;
    case 'decline_join':
      await messenger.decline(action.chat, action.userId);
      return null;
    case 'create_invite': {
      const link = await messenger.createJoinRequestLink(
        action.chat,
        action.name,
        action.expiresAt ? new Date(action.expiresAt) : undefined,
      );
      return { url: link.url };
    }
    case 'revoke_invite':
      await messenger.revokeLink(action.chat, action.url);
      return null;
  }
}

/** Failures that mean the outcome is already what we wanted. */
export function settledAnyway(action: Action, error: MessengerError): boolean {
  if (action.type === 'edit' && error.code === 'MESSAGE_UNCHANGED') return true;
  // A message deleted meanwhile (a greeting nobody is left to accept) has nothing left to edit.
  if (action.type === 'edit' && error.code === 'MESSAGE_GONE') return true;
  if (action.type === 'delete' && error.code === 'MESSAGE_GONE') return true;
  // Unbanning someone who is not banned, or unmuting someone who has left, changes nothing.
  if ((action.type === 'unban' || action.type === 'unmute') && error.code === 'USER_NOT_FOUND') return true;
  // A basic group keeps no ban list: there is nothing to lift.
  if (action.type === 'unban' && error.code === 'NOT_SUPERGROUP') return true;
  // A join request that is gone cannot be declined, which is what declining wanted.
  if (action.type === 'decline_join' && error.code === 'NO_JOIN_REQUEST') return true;
  return false;
}
