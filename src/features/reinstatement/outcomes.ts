import { createVotesRepository } from '../../db/repos/votes.js';
import type { OutcomeHandlers } from '../../outbox/worker.js';
import type { Services } from '../../runtime/services.js';
import { enqueueVoteEdit } from './vote-view.js';

/** Message ids of the apology's announcement and the vote, once the platform has posted them. */
export function reinstatementOutcomes(
  services: Services,
): Pick<OutcomeHandlers, 'apology.announced' | 'vote.posted'> {
  return {
    'apology.announced': {
      async done(work, args, result) {
        if (!result?.messageId) return;
        await createVotesRepository(work.tx).updateApology(args.apologyId, {
          announcementMessageId: result.messageId,
        });
      },
    },
    'vote.posted': {
      async done(work, args, result) {
        const repo = createVotesRepository(work.tx);
        const vote = await repo.vote(args.voteId);
        if (!vote || !result?.messageId) return;
        await repo.updateVote(vote.id, { messageId: result.messageId, renderedAt: work.now });
        // Votes cast before the message id was known are shown now; a closed vote shows its result.
        const posted = { ...vote, messageId: result.messageId };
        if (vote.status === 'closed') await enqueueVoteEdit(services, work, posted, vote.outcome ?? 'moot');
        else if (vote.renderNeeded) {
          await repo.updateVote(vote.id, { renderNeeded: false });
          await enqueueVoteEdit(services, work, posted);
        }
      },
    },
  };
}
