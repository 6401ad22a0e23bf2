/**
 * Schools and their chats: a chat belongs to a school once the school confirmed it (a code only asks),
 * so the school's roster, statistics and personal invitations reach only the chats it knows.
 */
export {
  type AttachmentDecision,
  decideAttachment,
  pendingAttachments,
  requestAttachment,
  rotateSchoolCode,
} from './attachments.js';
