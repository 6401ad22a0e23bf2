import type { Core, Work } from '../core/core.js';
import type { ButtonPressed } from '../messenger/port.js';
import {
  type ButtonAnswer,
  GATE_BUTTONS,
  onConfirmButton,
  onGreetingButton,
  onRequestButton,
} from './gate.js';
import { onApologyChatButton, onBallotButton, REINSTATEMENT_BUTTONS } from './reinstatement.js';

type ButtonHandler = (core: Core, work: Work, event: ButtonPressed, rest: string) => Promise<ButtonAnswer>;

/** Callback data prefixes and their use cases. Data stays under Telegram's 64 bytes. */
const ROUTES: Array<[prefix: string, handler: ButtonHandler]> = [
  [GATE_BUTTONS.request, (core, work, event, rest) => onRequestButton(core, work, event, Number(rest))],
  [GATE_BUTTONS.greeting, (core, work, event, rest) => onGreetingButton(core, work, event, Number(rest))],
  [GATE_BUTTONS.confirm, (core, work, event, rest) => onConfirmButton(core, work, event, Number(rest))],
  [REINSTATEMENT_BUTTONS.ballot, (core, work, event) => onBallotButton(core, work, event)],
  [REINSTATEMENT_BUTTONS.apologyChat, (core, work, event) => onApologyChatButton(core, work, event)],
];

/** Routes a button press to its use case by the prefix of its callback data. */
export async function routeButton(core: Core, work: Work, event: ButtonPressed): Promise<ButtonAnswer> {
  for (const [prefix, handler] of ROUTES) {
    if (event.data.startsWith(prefix)) return handler(core, work, event, event.data.slice(prefix.length));
  }
  return { text: core.texts.t(core.texts.languageFor(event.user.languageCode))('gate.unknown_button') };
}
