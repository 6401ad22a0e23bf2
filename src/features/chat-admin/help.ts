import type { Translate } from '../../i18n/index.js';
import type { CommandMenuEntry } from '../../messenger/port.js';
import type { CommandContext, CommandSpec } from '../../runtime/commands.js';
import { ANSWERS_START_PAYLOAD } from '../../runtime/privately.js';
import { BLOCK_START_PAYLOAD, blocksNotice } from '../blocks/index.js';
import { claimInvitation } from '../roster/index.js';

function line(t: Translate, spec: CommandSpec): string {
  return `/${spec.name} — ${t(`commands.${spec.name}`)}`;
}

/** The commands this caller may use here, grouped for members and moderators. */
export function helpText(
  t: Translate,
  commands: readonly CommandSpec[],
  where: 'group' | 'private',
  moderator: boolean,
) {
  const usable = commands.filter((spec) => spec.where === where || spec.where === 'both');
  if (where === 'private')
    return [t('help.private_header'), ...usable.map((spec) => line(t, spec))].join('\n');
  const sections = [
    [t('help.member_header'), ...usable.filter((s) => s.audience === 'member').map((s) => line(t, s))],
  ];
  if (moderator) {
    sections.push([
      t('help.moderator_header'),
      ...usable.filter((s) => s.audience === 'moderator').map((s) => line(t, s)),
    ]);
  }
  return sections.map((section) => section.join('\n')).join('\n\n');
}

/** The menus Telegram shows under "/": members', moderators' and private chats'. */
export function commandMenus(t: Translate, commands: readonly CommandSpec[]) {
  const entry = (spec: CommandSpec): CommandMenuEntry => ({
    command: spec.name,
    description: t(`commands.${spec.name}`),
  });
  const group = commands.filter((spec) => spec.where !== 'private');
  return {
    members: group.filter((spec) => spec.audience === 'member').map(entry),
    moderators: group.map(entry),
    privateChats: commands.filter((spec) => spec.where !== 'group').map(entry),
  };
}

export function helpCommand(all: () => readonly CommandSpec[]): CommandSpec {
  const run = async (ctx: CommandContext, where: 'group' | 'private') => {
    await ctx.reply(helpText(ctx.t, all(), where, ctx.isModerator));
  };
  return {
    name: 'help',
    audience: 'member',
    where: 'both',
    run: (ctx) => run(ctx, 'group'),
    runPrivate: (ctx) => run(ctx, 'private'),
  };
}

export const startCommand: CommandSpec = {
  name: 'start',
  audience: 'member',
  where: 'private',
  async run() {},
  async runPrivate(ctx) {
    // `/start <code>`: the deep link of a personal invitation.
    const code = (ctx.event.command?.args ?? '').trim();
    if (code === BLOCK_START_PAYLOAD && ctx.account) {
      const notice = await blocksNotice(ctx.services, ctx.work, ctx.account);
      return ctx.reply(notice ?? ctx.t('apology.not_blocked'));
    }
    // A moderator sent here by the group's line: the private chat is open now (the dispatcher noted it).
    if (code === ANSWERS_START_PAYLOAD) return ctx.reply(ctx.t('privacy.start_answers'));
    if (code) return claimInvitation(ctx.services, ctx.work, ctx, code);
    await ctx.reply(ctx.t('bot.private_hello'));
  },
};
