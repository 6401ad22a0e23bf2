import type {
  Chat,
  ChatInviteLink,
  ChatMember,
  ChatMemberAdministrator,
  ChatMemberRestricted,
  Message,
  ServiceMessageBundle,
  User,
} from 'telegraf/types';
import type { ChatRecord, InviteLinkRecord, MemberState, MessageRecord, ServiceContent } from './model.js';
import type { Permissions } from './types.js';

/** What the fake needs to serialise a message: other chats (sender_chat) and messages (reply_to_message). */
export interface MessageSource {
  chat(id: number): ChatRecord | undefined;
}

/** The short Chat object embedded in messages and updates. */
export function chatJson(chat: ChatRecord): Chat {
  switch (chat.type) {
    case 'private': {
      const user = chat.privateUser;
      return {
        id: chat.id,
        type: 'private',
        first_name: user?.first_name ?? chat.title,
        ...(user?.last_name !== undefined && { last_name: user.last_name }),
        ...(user?.username !== undefined && { username: user.username }),
      };
    }
    case 'group':
      return { id: chat.id, type: 'group', title: chat.title };
    case 'supergroup':
      return {
        id: chat.id,
        type: 'supergroup',
        title: chat.title,
        ...(chat.username !== undefined && { username: chat.username }),
      };
  }
}

/** ChatPermissions as Telegram serialises them, including the legacy `can_send_media_messages`. */
export function permissionsJson(p: Permissions): Permissions & { can_send_media_messages: boolean } {
  const media =
    p.can_send_audios ||
    p.can_send_documents ||
    p.can_send_photos ||
    p.can_send_videos ||
    p.can_send_video_notes ||
    p.can_send_voice_notes;
  return { ...p, can_send_media_messages: media };
}

/** The getChat result. */
export function fullChatJson(chat: ChatRecord): Record<string, unknown> {
  const base: Record<string, unknown> = { ...chatJson(chat), accent_color_id: 0 };
  if (chat.type === 'private') return base;
  const primary = chat.inviteLinks.find((link) => link.isPrimary && !link.revoked);
  return {
    ...base,
    ...(primary && { invite_link: primary.link }),
    permissions: permissionsJson(chat.permissions),
  };
}

/** A ChatMember object for `user` in `state`, shaped per status and chat type like telegram-bot-api. */
export function memberJson(chat: ChatRecord, user: User, state: MemberState): ChatMember {
  switch (state.status) {
    case 'creator':
      return { user, status: 'creator', is_anonymous: state.isAnonymous };
    case 'administrator': {
      const r = state.rights;
      const admin: ChatMemberAdministrator & { can_manage_voice_chats: boolean } = {
        user,
        status: 'administrator',
        can_be_edited: state.canBeEdited,
        can_manage_chat: r.can_manage_chat,
        can_change_info: r.can_change_info,
        can_delete_messages: r.can_delete_messages,
        can_invite_users: r.can_invite_users,
        can_restrict_members: r.can_restrict_members,
        can_pin_messages: r.can_pin_messages,
        ...(chat.type === 'supergroup' && { can_manage_topics: r.can_manage_topics }),
        can_promote_members: r.can_promote_members,
        can_manage_video_chats: r.can_manage_video_chats,
        can_post_stories: r.can_post_stories,
        can_edit_stories: r.can_edit_stories,
        can_delete_stories: r.can_delete_stories,
        is_anonymous: r.is_anonymous,
        can_manage_voice_chats: r.can_manage_video_chats,
      };
      return admin;
    }
    case 'member':
      return { user, status: 'member' };
    case 'restricted': {
      if (chat.type !== 'supergroup') return { user, status: 'member' };
      const restricted: ChatMemberRestricted & { can_send_media_messages: boolean } = {
        user,
        status: 'restricted',
        until_date: state.untilDate,
        ...permissionsJson(state.permissions),
        is_member: state.isMember,
      };
      return restricted;
    }
    case 'left':
      return { user, status: 'left' };
    case 'kicked':
      return { user, status: 'kicked', until_date: state.untilDate };
  }
}

/** A ChatInviteLink object. */
export function inviteLinkJson(chat: ChatRecord, link: InviteLinkRecord): ChatInviteLink {
  return {
    invite_link: link.link,
    creator: link.creator,
    creates_join_request: link.createsJoinRequest,
    is_primary: link.isPrimary,
    is_revoked: link.revoked,
    ...(link.name !== undefined && { name: link.name }),
    ...(link.expireDate !== undefined && { expire_date: link.expireDate }),
    ...(link.memberLimit !== undefined && { member_limit: link.memberLimit }),
    ...(link.createsJoinRequest && {
      pending_join_request_count: chat.joinRequests.filter((r) => r.link === link && r.status === 'pending')
        .length,
    }),
  };
}

type Reply = NonNullable<Message.TextMessage['reply_to_message']>;

/** A Message object as the Bot API returns and delivers it (with `reply_to_message` one level deep). */
export function messageJson(source: MessageSource, record: MessageRecord): Message {
  const base = baseJson(source, record);
  return record.service ? serviceJson(base, record.service) : textJson(source, record, base, true);
}

function baseJson(source: MessageSource, record: MessageRecord): Message.ServiceMessage {
  const chat = source.chat(record.chatId);
  if (!chat) throw new Error(`message ${record.messageId} refers to unknown chat ${record.chatId}`);
  const senderChat = record.senderChatId === undefined ? undefined : source.chat(record.senderChatId);
  return {
    message_id: record.messageId,
    from: record.from,
    ...(senderChat && { sender_chat: chatJson(senderChat) }),
    chat: chatJson(chat),
    date: record.date,
  };
}

// Telegram still sends the legacy singular fields next to new_chat_members / left_chat_member.
function serviceJson(base: Message.ServiceMessage, service: ServiceContent): ServiceMessageBundle {
  switch (service.kind) {
    case 'new_chat_members': {
      const first = service.users[0] ?? base.from;
      const joined: Message.NewChatMembersMessage & { new_chat_participant?: User; new_chat_member?: User } =
        {
          ...base,
          ...(first && { new_chat_participant: first, new_chat_member: first }),
          new_chat_members: [...service.users],
        };
      return joined;
    }
    case 'left_chat_member': {
      const left: Message.LeftChatMemberMessage & { left_chat_participant: User } = {
        ...base,
        left_chat_participant: service.user,
        left_chat_member: service.user,
      };
      return left;
    }
    case 'migrate_to_chat_id':
      return { ...base, migrate_to_chat_id: service.chatId };
    case 'migrate_from_chat_id':
      return { ...base, migrate_from_chat_id: service.chatId };
  }
}

function textJson(
  source: MessageSource,
  record: MessageRecord,
  base: Message.ServiceMessage,
  withReply: boolean,
): Message.TextMessage {
  const current = record.versions.at(-1);
  const replied =
    withReply && record.replyToId !== undefined
      ? source.chat(record.chatId)?.messages.get(record.replyToId)
      : undefined;
  return {
    ...base,
    ...(replied && !replied.deleted && { reply_to_message: replyJson(source, replied) }),
    ...(record.editDate !== undefined && { edit_date: record.editDate }),
    ...(record.protectContent && { has_protected_content: true as const }),
    text: current?.text ?? '',
    ...(current && current.entities.length > 0 && { entities: [...current.entities] }),
    ...(record.linkPreviewOptions && { link_preview_options: record.linkPreviewOptions }),
    ...(current?.reply_markup && { reply_markup: current.reply_markup }),
  };
}

function replyJson(source: MessageSource, record: MessageRecord): Reply {
  const base = baseJson(source, record);
  if (record.service) return serviceJson(base, record.service);
  // typegram types a nested reply as `TextMessage & { reply_to_message: undefined }`, which
  // exactOptionalPropertyTypes cannot satisfy; Telegram simply omits the field, as this object does.
  return textJson(source, record, base, false) as Reply;
}
