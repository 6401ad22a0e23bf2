import { createAccountsRepository } from '../../db/repos/accounts.js';
import { createBlocksRepository } from '../../db/repos/blocks.js';
import { createChatsRepository } from '../../db/repos/chats.js';
import { createStrikesRepository } from '../../db/repos/strikes.js';
import { createVotesRepository, type VoteRow } from '../../db/repos/votes.js';
import type { ButtonSpec } from '../../messenger/port.js';
import type { VoteOutcome } from '../../moderation/reinstatement.js';
import type { Action } from '../../outbox/actions.js';
import { chatAddress, displayName, when } from '../../runtime/format.js';
import type { Services, Work } from '../../runtime/services.js';
import { REINSTATEMENT_BUTTONS } from './apology.js';

/** Vote messages are edited at most this often while votes arrive (Telegram's limits). */
export const VOTE_EDIT_SPACING_MS = 3000;

interface VoteView {
  text: string;
  buttons: ButtonSpec[][] | undefined;
}

/** The vote's message: the apology, the rules broken, the closing time, the counts and the buttons. */
export async function renderVote(
  services: Services,
  work: Work,
  vote: VoteRow,
  final?: VoteOutcome,
): Promise<VoteView | undefined> {
  const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(vote.chatId);
  const block = await createBlocksRepository(work.tx).block(vote.blockId);
  const apology = await createVotesRepository(work.tx).apology(vote.apologyId);
  const account = block ? await createAccountsRepository(work.tx).byId(block.accountId) : undefined;
  if (!chat || !block || !apology || !account) return undefined;
  const language = chat.settings.language;
  const t = services.texts.t(language);
  const rules = await createStrikesRepository(work.tx).rulesOfBlock(block.id);
  const lines = [
    t('vote.text', {
      name: displayName(account),
      until: when(services, block.endsAt, language),
      rules: rules.join(', '),
      apology: apology.text,
      closes: when(services, vote.closesAt, language),
    }),
    '',
    t('vote.counts', { objections: vote.objections, noObjections: vote.noObjections }),
  ];
  if (final === 'unblocked') lines.push(t('vote.final_unblocked'));
  if (final === 'kept') lines.push(t('vote.final_kept', { until: when(services, block.endsAt, language) }));
  if (final === 'moot') lines.push(t('vote.final_moot'));
  const buttons = final
    ? undefined
    : [
        [
          {
            text: t('vote.button', { label: t('vote.object'), count: vote.objections }),
            data: `${REINSTATEMENT_BUTTONS.ballot}${vote.id}:o`,
          },
          {
            text: t('vote.button', { label: t('vote.no_objection'), count: vote.noObjections }),
            data: `${REINSTATEMENT_BUTTONS.ballot}${vote.id}:n`,
          },
        ],
      ];
  return { text: lines.join('\n'), buttons };
}

/** Edits the vote's message to show it as it is now (or its result, when `final` is given). */
export async function enqueueVoteEdit(services: Services, work: Work, vote: VoteRow, final?: VoteOutcome) {
  if (!vote.messageId) return;
  const view = await renderVote(services, work, vote, final);
  const chat = await createChatsRepository(work.tx, services.deps.defaultLanguage).byId(vote.chatId);
  if (!view || !chat) return;
  const action: Action = {
    type: 'edit',
    chat: chatAddress(chat),
    messageId: vote.messageId,
    text: view.text,
  };
  if (view.buttons) action.buttons = view.buttons;
  await work.enqueue(action, { chatId: chat.id });
}
