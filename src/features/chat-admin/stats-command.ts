import { createStatsRepository } from '../../db/repos/stats.js';
import { createStrikesRepository } from '../../db/repos/strikes.js';
import { countActive } from '../../moderation/strikes.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { currentRules } from '../rules/rules.js';

/** `/stats` (regulation 4.11.2): counts for the chat — members, acceptances, strikes, blocks, votes. */
export const statsCommand: CommandSpec = {
  name: 'stats',
  audience: 'moderator',
  where: 'group',
  async run(ctx) {
    const { chat, work, t } = ctx;
    const rules = await currentRules(ctx.services, work.tx, chat);
    const counts = (
      await createStatsRepository(work.tx).countsByChat([chat.id], new Map([[chat.id, rules.version]]))
    ).get(chat.id);
    if (!counts) return;
    const facts = await createStrikesRepository(work.tx).factsOfChat(chat.id);
    const lines = [
      t('stats.header', { title: chat.title }),
      t('stats.members', { count: counts.members }),
      t('stats.acceptances', { version: rules.version, count: counts.acceptancesCurrent }),
      t('stats.acceptances_any', { count: counts.acceptances }),
      t('stats.pending', { count: counts.pendingNewcomers }),
      t('stats.strikes', {
        active: countActive(facts, chat.settings, work.now),
        total: counts.strikes.issued,
      }),
      t('stats.blocks', { active: counts.blocks.active, total: counts.blocks.total }),
      t('stats.votes', {
        total: counts.votes.total,
        unblocked: counts.votes.unblocked,
        kept: counts.votes.kept,
      }),
    ];
    await ctx.answerPrivately(lines.join('\n'));
  },
};
