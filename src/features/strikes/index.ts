/**
 * Strikes (regulation 4.13.5, 4.13.7): a moderator's strike cites a rule of the chat; the strike past
 * the limit blocks the member (see ../blocks); `/unstrike` corrects a mistake; `/strikes` lists them.
 */
import { strikeCommand } from './strike-command.js';
import { strikesCommand } from './strikes-command.js';
import { unstrikeCommand } from './unstrike-command.js';

export const strikesCommands = [strikesCommand, strikeCommand, unstrikeCommand];
