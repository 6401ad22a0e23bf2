import { createRosterRepository } from '../../db/repos/roster.js';
import type { CommandSpec } from '../../runtime/commands.js';
import { privateChatOf } from '../../runtime/format.js';
import { exportData } from './export.js';

/**
 * `/mydata` in a private chat: the bot sends the member everything it stores about them and the roster
 * people their account is linked to, as a JSON file (152-ФЗ art. 14). In a group it only says where to ask.
 */
export const myDataCommand: CommandSpec = {
  name: 'mydata',
  audience: 'member',
  where: 'both',
  async run(ctx) {
    await ctx.refuse(ctx.t('mydata.private_only'));
  },
  async runPrivate(ctx) {
    const account = ctx.account;
    if (!account) return;
    const persons = await createRosterRepository(ctx.work.tx).personsOfAccount(account.id);
    const data = await exportData(ctx.work.tx, {
      now: ctx.work.now,
      school: null,
      subject: { kind: 'account', id: `${account.platform}:${account.platformUserId}` },
      persons,
      accountIds: [account.id],
    });
    await ctx.work.enqueue({
      type: 'send_document',
      chat: privateChatOf(account),
      filename: `my-data-${ctx.work.now.toISOString().slice(0, 10)}.json`,
      content: JSON.stringify(data, null, 2),
      caption: ctx.t('mydata.caption'),
    });
  },
};
