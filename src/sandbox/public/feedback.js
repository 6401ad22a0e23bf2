// Telling the visitor what happened: the banner, toasts, the alert box, Telegram's refusal of a post.
import { byId, h } from './dom.js';
import { label } from './format.js';

export function showBanner(text) {
  const banner = byId('banner');
  if (banner.textContent !== text) banner.textContent = text;
  banner.hidden = false;
}

export function hideBanner() {
  byId('banner').hidden = true;
}

/** A short note at the bottom of the page, like Telegram's answer to a button press. */
export function toast(text, kind = 'info') {
  const note = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : undefined, text });
  byId('toasts').append(note);
  setTimeout(() => note.remove(), kind === 'error' ? 7000 : 4500);
}

export function alertBox(text) {
  const dialog = byId('alert');
  byId('alert-text').textContent = text;
  dialog.showModal();
  byId('alert-ok').focus();
}

export function showRefusal(place, detail) {
  const box = byId(`${place}-composer`).querySelector('.refusal');
  box.replaceChildren(h('span', { text: label('refusedPost') }), ' ', h('code', { text: detail }));
  box.hidden = false;
}

export function hideRefusal(place) {
  byId(`${place}-composer`).querySelector('.refusal').hidden = true;
}
