import {
  onApologyChatButton,
  onBallotButton,
  REINSTATEMENT_BUTTONS,
} from '../features/reinstatement/reinstatement.js';
import {
  type ButtonAnswer,
  GATE_BUTTONS,
  onConfirmButton,
  onGreetingButton,
  onRequestButton,
} from '../features/rules-gate/gate.js';
import type { ButtonPressed } from '../messenger/port.js';
import type { Core, Work } from '../runtime/services.js';

type ButtonHandler = (
  core: Core,
  work: Work,
  event: ButtonPressed,
  ids: number[],
  rest: string,
) => Promise<ButtonAnswer>;

/**
 * Callback data prefixes, how many numeric ids follow (`:`-separated, then an optional letter), and their
 * use cases. Data stays under Telegram's 64 bytes; anything that does not parse is an unknown button.
 */
const ROUTES: Array<[prefix: string, pattern: RegExp, handler: ButtonHandler]> = [
  [
    GATE_BUTTONS.request,
    /^(\d{1,9})$/,
    (core, work, event, [id]) => onRequestButton(core, work, event, id ?? 0),
  ],
  [
    GATE_BUTTONS.greeting,
    /^(\d{1,9})$/,
    (core, work, event, [id]) => onGreetingButton(core, work, event, id ?? 0),
  ],
  [
    GATE_BUTTONS.confirm,
    /^(\d{1,9})$/,
    (core, work, event, [id]) => onConfirmButton(core, work, event, id ?? 0),
  ],
  [
    REINSTATEMENT_BUTTONS.ballot,
    /^(\d{1,9}):[on]$/,
    (core, work, event) => onBallotButton(core, work, event),
  ],
  [
    REINSTATEMENT_BUTTONS.apologyChat,
    /^(\d{1,9}):(\d{1,9})$/,
    (core, work, event) => onApologyChatButton(core, work, event),
  ],
];

/** Routes a button press to its use case by the prefix of its callback data. */
export async function routeButton(core: Core, work: Work, event: ButtonPressed): Promise<ButtonAnswer> {
  for (const [prefix, pattern, handler] of ROUTES) {
    if (!event.data.startsWith(prefix)) continue;
    const rest = event.data.slice(prefix.length);
    const match = pattern.exec(rest);
    if (match) return handler(core, work, event, match.slice(1).map(Number), rest);
  }
  return { text: core.texts.t(core.texts.languageFor(event.user.languageCode))('gate.unknown_button') };
}
