import type { ChatRecord } from '../../db/repos/chats.js';
import type { ButtonSpec } from '../../messenger/port.js';
import type { Services } from '../../runtime/services.js';

/** Callback data prefixes of the gate's buttons, each followed by the id of what it answers. */
export const GATE_BUTTONS = {
  /** «I accept» under the rules sent privately to an applicant: the join request's id. */
  request: 'g:r:',
  /** «I accept» under the greeting in the chat: the greeting's id. */
  greeting: 'g:n:',
  /** «I accept» under `/rules confirm`: the rules version. */
  confirm: 'g:c:',
  /** A moderator's «Принять» / «Отклонить»: r<request id> or e<entry id>, then :a or :d. */
  admission: 'g:m:',
} as const;

export function acceptButton(services: Services, chat: ChatRecord, data: string): ButtonSpec[][] {
  return [[{ text: services.texts.t(chat.settings.language)('gate.button'), data }]];
}
