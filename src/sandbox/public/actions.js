// What the visitor does: play someone, reply, send, press a button, run an action, switch the view.
import { ActionError, act, explain } from './api-client.js';
import { stickToEnd } from './chat-view.js';
import { byId } from './dom.js';
import { alertBox, hideRefusal, showBanner, showRefusal, toast } from './feedback.js';
import { label } from './format.js';
import { draw } from './page-view.js';
import { ui } from './state.js';

export function select(id) {
  if (id === ui.selected) return;
  ui.selected = id;
  ui.reply = { group: undefined, private: undefined };
  hideRefusal('group');
  hideRefusal('private');
  draw({ quiet: false });
}

export function chooseReply(place, messageId) {
  const items = place === 'group' ? ui.state.group : (ui.state.private[String(ui.selected)] ?? []);
  const item = items.find((candidate) => candidate.kind === 'message' && candidate.id === messageId);
  if (!item) return;
  const firstLine = item.text.split('\n')[0] ?? '';
  ui.reply[place] = { id: item.id, author: item.author.name, text: firstLine.slice(0, 90) };
  draw({ quiet: false });
  byId(`${place}-input`).focus();
}

export function cancelReply(place) {
  ui.reply[place] = undefined;
  draw({ quiet: false });
}

export async function send(place) {
  const form = byId(`${place}-composer`);
  const input = byId(`${place}-input`);
  const text = input.value.trim();
  if (!text || ui.selected === undefined || form.getAttribute('aria-busy') === 'true') return;
  const reply = ui.reply[place];
  form.setAttribute('aria-busy', 'true');
  try {
    await act('post', { as: ui.selected, chat: place, text, ...(reply ? { replyTo: reply.id } : {}) });
    input.value = '';
    fitInput(input);
    ui.reply[place] = undefined;
    hideRefusal(place);
    // Your own message: go to the end, as Telegram does.
    stickToEnd(byId(`${place}-log`));
  } catch (error) {
    if (error instanceof ActionError && error.code === 'refused') showRefusal(place, error.detail);
    else toast(explain(error), 'error');
  } finally {
    form.removeAttribute('aria-busy');
    input.focus();
  }
}

export async function press(button) {
  if (button.disabled) return;
  button.disabled = true;
  try {
    const result = await act('press', {
      as: ui.selected,
      chat: button.dataset.place,
      messageId: Number(button.dataset.message),
      data: button.dataset.press,
    });
    if (result.answer?.alert) alertBox(result.answer.text);
    else if (result.answer) toast(result.answer.text);
  } catch (error) {
    toast(explain(error), 'error');
  } finally {
    if (button.isConnected) button.disabled = false;
  }
}

export async function run(button, name, body, after) {
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    const result = await act(name, body);
    after?.(result);
    if (ui.state) draw({ quiet: false });
  } catch (error) {
    toast(explain(error), 'error');
  } finally {
    button.removeAttribute('aria-busy');
  }
}

export function restart(button, name, body) {
  void run(button, name, body, () => {
    ui.restarting = true;
    showBanner(label('restarting'));
  });
}

export function fitInput(input) {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

export function setView(view) {
  ui.view = view;
  draw({ quiet: false });
}
