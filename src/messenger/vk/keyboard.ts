import type { ButtonSpec } from '../port.js';
import { buttonPayload } from './updates.js';

/** VK refuses a button label over 40 characters: a longer one is cut at a word. */
export function fitLabel(text: string): string {
  const chars = [...text];
  if (chars.length <= 40) return text;
  const cut = chars.slice(0, 39).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > 20 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, '')}…`;
}

/** VK's inline keyboard: callback buttons carry `{"d": data}`, URL buttons open the link. */
export function keyboardJson(buttons: ButtonSpec[][] | undefined): string {
  return JSON.stringify({
    inline: true,
    buttons: (buttons ?? []).map((row) =>
      row.map((button) => ({
        action: button.url
          ? { type: 'open_link', link: button.url, label: fitLabel(button.text) }
          : { type: 'callback', label: fitLabel(button.text), payload: buttonPayload(button.data ?? '') },
      })),
    ),
  });
}
