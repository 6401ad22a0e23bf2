/**
 * Running a chat: `/help` and `/start`, `/settings`, `/log`, `/stats` (regulation 4.11.2, statistics for
 * the director) and `/del` (4.13.2, the moderator removes negative or excess messages).
 */
import type { CommandSpec } from '../../runtime/commands.js';
import { delCommand } from './del-command.js';
import { helpCommand, startCommand } from './help.js';
import { logCommand } from './log-command.js';
import { settingsCommand } from './settings-command.js';
import { statsCommand } from './stats-command.js';

export { commandMenus } from './help.js';

/** `/help` lists every command, so it is given all of them once they are known. */
export function chatAdminCommands(all: () => readonly CommandSpec[]): CommandSpec[] {
  return [helpCommand(all), startCommand, delCommand, logCommand, statsCommand, settingsCommand];
}
