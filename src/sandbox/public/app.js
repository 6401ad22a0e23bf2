// The sandbox page: polls /sandbox/api/state, draws the class chat and the private chat with the bot
// as Telegram would, and turns the visitor's clicks into /sandbox/api/… actions. No framework: lists
// are updated item by item (keyed), so screen readers hear only new messages.
//
// The entry module: wires the page's controls to the actions and starts polling. The rest, by role:
// state.js (what the page knows), api-client.js (requests), page-view.js, people-view.js, chat-view.js and
// message-view.js (drawing), feedback.js (banner, toasts, alerts), actions.js (what the visitor does),
// dom.js and format.js (helpers), labels.js (the page's words).
import { cancelReply, chooseReply, fitInput, press, restart, run, select, send, setView } from './actions.js';
import { poll } from './api-client.js';
import { followEnd } from './chat-view.js';
import { byId } from './dom.js';
import { draw, drawLabels } from './page-view.js';
import { ui, WIDE } from './state.js';

function wire() {
  byId('people').addEventListener('click', (event) => {
    const button = event.target.closest('.person');
    if (button) select(Number(button.dataset.id));
  });

  for (const place of ['group', 'private']) {
    followEnd(byId(`${place}-log`));
    const form = byId(`${place}-composer`);
    const input = byId(`${place}-input`);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void send(place);
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void send(place);
      } else if (event.key === 'Escape' && ui.reply[place]) {
        cancelReply(place);
      }
    });
    input.addEventListener('input', () => fitInput(input));
    form.querySelector('.cancel-reply').addEventListener('click', () => {
      cancelReply(place);
      input.focus();
    });
    byId(`${place}-log`).addEventListener('click', (event) => {
      const replyButton = event.target.closest('[data-reply]');
      if (replyButton) chooseReply(place, Number(replyButton.dataset.reply));
      const key = event.target.closest('[data-press]');
      if (key) void press(key);
    });
  }

  byId('newcomer').addEventListener('submit', (event) => {
    event.preventDefault();
    const via = event.submitter?.value === 'added' ? 'added' : 'request';
    const input = byId('newcomer-name');
    const name = input.value.trim();
    void run(
      event.submitter ?? byId('newcomer'),
      'add-newcomer',
      { via, ...(name ? { name } : {}) },
      (result) => {
        input.value = '';
        ui.selected = result.person;
        ui.view = via === 'request' ? 'private' : 'group';
        ui.reply = { group: undefined, private: undefined };
      },
    );
  });

  for (const button of document.querySelectorAll('[data-advance]')) {
    button.addEventListener('click', () => void run(button, 'advance', { step: button.dataset.advance }));
  }
  for (const button of document.querySelectorAll('[data-language]')) {
    button.addEventListener('click', () => {
      if (button.dataset.language !== ui.language)
        restart(button, 'language', { language: button.dataset.language });
    });
  }
  byId('reset').addEventListener('click', (event) => restart(event.currentTarget, 'reset', {}));
  byId('leave').addEventListener(
    'click',
    (event) => void run(event.currentTarget, 'leave', { as: ui.selected }),
  );
  byId('request-again').addEventListener(
    'click',
    (event) =>
      void run(event.currentTarget, 'request-join', { as: ui.selected }, () => {
        ui.view = 'private';
      }),
  );
  for (const button of document.querySelectorAll('.views [data-view]')) {
    button.addEventListener('click', () => setView(button.dataset.view));
  }
  byId('alert-ok').addEventListener('click', () => byId('alert').close());
  WIDE.addEventListener('change', () => ui.state && draw({ quiet: false }));
}

drawLabels();
wire();
void poll();
