/**
 * Reports: a member's `/report` to the chat's moderators (regulation 4.13.2: the moderator keeps order
 * and needs to hear of what they did not see), and the bot's own reports of platform actions that
 * failed for good.
 */
import { reportCommand } from './report-command.js';

export { outboxEvents } from './failures.js';

export const reportsCommands = [reportCommand];
