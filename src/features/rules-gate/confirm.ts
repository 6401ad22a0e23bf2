import { createGateRepository } from '../../db/repos/rules-gate.js';
import type { ButtonPressed } from '../../messenger/port.js';
import { formatRules } from '../../moderation/rules.js';
import type { ButtonAnswer } from '../../runtime/buttons.js';
import type { GroupContext } from '../../runtime/commands.js';
import { chatAddress } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { loadChat } from '../chats/chats.js';
import { saveAccount } from '../membership/members.js';
import { currentRules } from '../rules/rules.js';
import { GATE_BUTTONS } from './buttons.js';

/** `/rules confirm` (moderator): the rules with the accept button; acceptances are recorded, nobody restricted. */
export async function postRulesConfirmation(ctx: GroupContext): Promise<void> {
  const rules = await currentRules(ctx.services, ctx.work.tx, ctx.chat);
  const text = [ctx.t('gate.confirm_intro', { version: rules.version }), formatRules(rules.rules)].join(
    '\n\n',
  );
  await ctx.work.enqueue(
    {
      type: 'send',
      chat: chatAddress(ctx.chat),
      text,
      options: {
        buttons: [[{ text: ctx.t('gate.button'), data: `${GATE_BUTTONS.confirm}${rules.version}` }]],
      },
    },
    { chatId: ctx.chat.id },
  );
}

/** A member confirmed the current rules: the acceptance is recorded as proof. */
export async function onConfirmButton(
  services: Services,
  work: Work,
  event: ButtonPressed,
  version: number,
): Promise<ButtonAnswer> {
  const chat = await loadChat(services, work, event.chat);
  const t = services.texts.t(chat.settings.language);
  const rules = await currentRules(services, work.tx, chat);
  if (rules.version !== version) return { text: t('gate.confirm_outdated'), alert: true };
  const account = await saveAccount(services, work, chat.platform, event.user);
  const recorded = await createGateRepository(work.tx).accept(
    chat.id,
    account.id,
    version,
    'confirm',
    work.now,
  );
  return { text: recorded ? t('gate.confirm_thanks') : t('gate.already') };
}
