import type { Core, Work } from '../core/core.js';
import type { ButtonPressed } from '../messenger/port.js';
import {
  type ButtonAnswer,
  GATE_BUTTONS,
  onConfirmButton,
  onGreetingButton,
  onRequestButton,
} from './gate.js';

/** Routes a button press to its use case by the prefix of its callback data. */
export async function routeButton(core: Core, work: Work, event: ButtonPressed): Promise<ButtonAnswer> {
  const { data } = event;
  const number = (prefix: string) => Number(data.slice(prefix.length));
  if (data.startsWith(GATE_BUTTONS.request))
    return onRequestButton(core, work, event, number(GATE_BUTTONS.request));
  if (data.startsWith(GATE_BUTTONS.greeting))
    return onGreetingButton(core, work, event, number(GATE_BUTTONS.greeting));
  if (data.startsWith(GATE_BUTTONS.confirm))
    return onConfirmButton(core, work, event, number(GATE_BUTTONS.confirm));
  return { text: core.texts.t(core.texts.languageFor(event.user.languageCode))('gate.unknown_button') };
}
