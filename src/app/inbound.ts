import { storable } from '../lib/text.js';
import type { InboundEvent, ReplyTarget, Sender, UserInfo } from '../messenger/port.js';

function user(info: UserInfo): UserInfo {
  const clean: UserInfo = { ...info, firstName: storable(info.firstName) };
  if (info.lastName !== undefined) clean.lastName = storable(info.lastName);
  if (info.username !== undefined) clean.username = storable(info.username);
  return clean;
}

function sender(from: Sender): Sender {
  if (from.kind === 'user') return { kind: 'user', user: user(from.user) };
  if (from.kind === 'channel') return { kind: 'channel', title: storable(from.title) };
  return from;
}

function reply(target: ReplyTarget): ReplyTarget {
  return {
    ...target,
    text: storable(target.text),
    ...(target.sender ? { sender: sender(target.sender) } : {}),
  };
}

/**
 * An event as the core may store it: names, titles and texts without NUL (PostgreSQL refuses it) or
 * broken Unicode, whatever the platform let through. Applied once, where events enter the core.
 */
export function storableEvent(event: InboundEvent): InboundEvent {
  const chat = { ...event.chat, title: storable(event.chat.title) };
  switch (event.kind) {
    case 'message': {
      const clean = { ...event, chat, sender: sender(event.sender), text: storable(event.text) };
      if (event.replyTo) clean.replyTo = reply(event.replyTo);
      if (event.command) clean.command = { ...event.command, args: storable(event.command.args) };
      return clean;
    }
    case 'members_joined':
      return {
        ...event,
        chat,
        members: event.members.map(user),
        ...(event.by ? { by: user(event.by) } : {}),
      };
    case 'member_left':
    case 'member_status':
      return { ...event, chat, member: user(event.member), ...(event.by ? { by: user(event.by) } : {}) };
    case 'button':
    case 'join_request':
    case 'message_suppressed':
      return { ...event, chat, user: user(event.user) };
    case 'bot_membership':
      return { ...event, chat, ...(event.by ? { by: user(event.by) } : {}) };
    case 'chat_migrated':
      return { ...event, chat };
  }
}
