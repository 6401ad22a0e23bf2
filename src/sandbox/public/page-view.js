// Drawing the whole page: the labels, the clock, and each part in turn.
import { drawGroup, drawPrivate } from './chat-view.js';
import { byId } from './dom.js';
import { formatter, label } from './format.js';
import { drawPeople, unread } from './people-view.js';
import { person, ui } from './state.js';

export function drawLabels() {
  document.documentElement.lang = ui.language;
  for (const element of document.querySelectorAll('[data-label]')) {
    element.textContent = label(element.dataset.label);
  }
  for (const element of document.querySelectorAll('[data-label-aria]')) {
    element.setAttribute('aria-label', label(element.dataset.labelAria));
  }
  document.title = label('pageTitle');
  for (const button of document.querySelectorAll('[data-language]')) {
    button.setAttribute('aria-pressed', String(button.dataset.language === ui.language));
  }
  byId('newcomer-name').placeholder = ui.language === 'ru' ? 'Галина Орлова' : 'Grace Miller';
  for (const input of document.querySelectorAll('.composer textarea'))
    input.placeholder = label('placeholder');
}

export function drawClock() {
  if (ui.now === undefined) return;
  const clock = byId('clock');
  const now = new Date(ui.now);
  clock.dateTime = now.toISOString();
  clock.textContent = formatter({
    weekday: 'short',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
  }).format(now);
}

export function draw({ quiet }) {
  drawClock();
  // The private chat first: drawing it marks its lines seen, which the people list shows.
  drawPrivate(quiet);
  drawPeople();
  drawGroup(quiet);
  drawViews();
}

function drawViews() {
  byId('group-pane').closest('main').dataset.view = ui.view;
  for (const button of document.querySelectorAll('.views [data-view]')) {
    const me = person(ui.selected);
    button.setAttribute('aria-pressed', String(button.dataset.view === ui.view));
    if (button.dataset.view === 'private') button.classList.toggle('has-unread', Boolean(me && unread(me)));
  }
}
