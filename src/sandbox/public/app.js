// The sandbox page: polls /sandbox/api/state, draws the class chat and the private chat with the bot
// as Telegram would, and turns the visitor's clicks into /sandbox/api/… actions. No framework: lists
// are updated item by item (keyed), so screen readers hear only new messages.
import { LABELS } from './labels.js';

const POLL_MS = 700;
/** Both chats side by side from this width; below it the visitor switches between them. */
const WIDE = window.matchMedia('(min-width: 1024px)');
const COLORS = 8;

const ui = {
  /** @type {'ru' | 'en'} */
  language: document.documentElement.lang === 'en' ? 'en' : 'ru',
  /** The last full state from the server. */
  state: undefined,
  version: undefined,
  session: undefined,
  /** Sandbox time in ms, from the last poll. */
  now: undefined,
  /** The person the visitor plays. */
  selected: undefined,
  /** The message each composer replies to: { id, author, text }. */
  reply: { group: undefined, private: undefined },
  /** How many lines of each person's private chat the visitor has seen. */
  seen: new Map(),
  /** The chat shown on a narrow screen. */
  view: 'group',
  restarting: false,
  /** The person whose private chat is drawn now (redrawn quietly when it changes). */
  privateOf: undefined,
};

// ---------------------------------------------------------------- small helpers

function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
}

/** A page label in the current language with {placeholders} filled. */
function label(key, params = {}) {
  const text = LABELS[ui.language][key] ?? LABELS.ru[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

/** Creates an element with attributes (`class`, `text` and plain attributes) and children. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(...children.filter((child) => child !== undefined && child !== null));
  return element;
}

function locale() {
  return ui.language === 'ru' ? 'ru-RU' : 'en-GB';
}

const formatters = new Map();

/** A date formatter in the page's language and the bot's time zone (made once per kind). */
function formatter(options) {
  const timeZone = ui.state?.timeZone ?? 'UTC';
  const key = `${locale()}|${timeZone}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), { timeZone, ...options });
    formatters.set(key, format);
  }
  return format;
}

/** "14:03" */
function clockTime(unixSeconds) {
  return formatter({ hour: '2-digit', minute: '2-digit' }).format(new Date(unixSeconds * 1000));
}

/** "19 мая, 14:03" */
function dateTime(unixSeconds) {
  return formatter({ day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(
    new Date(unixSeconds * 1000),
  );
}

/** "19 мая" (with the year when it is not this year's) */
function day(unixSeconds) {
  const date = new Date(unixSeconds * 1000);
  const year = formatter({ year: 'numeric' });
  const sameYear = year.format(date) === year.format(new Date(ui.now ?? Date.now()));
  return formatter({ day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) }).format(date);
}

function dayKey(unixSeconds) {
  return formatter({ year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(unixSeconds * 1000),
  );
}

function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}

function colorClass(id) {
  return `c${Math.abs(id) % COLORS}`;
}

function person(id) {
  return ui.state?.people.find((candidate) => candidate.id === id);
}

function inGroup(who) {
  return who.standing === 'admin' || who.standing === 'member' || who.standing === 'readonly';
}

// ---------------------------------------------------------------- talking to the sandbox

class ActionError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.detail = body?.error ?? '';
  }
}

/** Runs an action; the next poll follows at once, so its effect shows without waiting. */
async function act(name, body) {
  let response;
  try {
    response = await fetch(`/sandbox/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ActionError(0, { error: label('offline') });
  }
  const data = await response.json().catch(() => ({}));
  void poll();
  if (!response.ok) throw new ActionError(response.status, data);
  return data;
}

/** The sentence the visitor reads for a failed action. */
function explain(error) {
  if (!(error instanceof ActionError)) return label('errorGeneric', { detail: String(error) });
  switch (error.code) {
    case 'no_join_link':
      return label('errorNoJoinLink');
    case 'teacher_stays':
      return label('errorTeacherStays');
    case 'unknown_person':
      return label('errorUnknownPerson');
    case 'restarting':
      return label('restarting');
    case 'refused':
      return label('errorRefused', { detail: error.detail });
    default:
      return label('errorGeneric', { detail: error.detail });
  }
}

let pollTimer;
let polling = false;
let pollAgain = false;

/** Fetches the state (only numbers when nothing changed) and draws what changed. */
async function poll() {
  clearTimeout(pollTimer);
  if (polling) {
    pollAgain = true;
    return;
  }
  polling = true;
  try {
    const since = ui.version === undefined ? '' : String(ui.version);
    const response = await fetch(`/sandbox/api/state?since=${since}`, { cache: 'no-store' });
    if (response.status === 503) showBanner(label('restarting'));
    else if (!response.ok) showBanner(label('offline'));
    else {
      hideBanner();
      apply(await response.json());
    }
  } catch {
    showBanner(label(ui.restarting ? 'restarting' : 'offline'));
  } finally {
    polling = false;
    if (pollAgain) {
      pollAgain = false;
      void poll();
    } else {
      pollTimer = setTimeout(poll, POLL_MS);
    }
  }
}

function apply(data) {
  ui.now = data.now;
  if (data.changed === false) {
    drawClock();
    return;
  }
  const fresh = data.session !== ui.session;
  const languageChanged = data.language !== ui.language;
  ui.state = data;
  ui.version = data.version;
  ui.language = data.language;
  if (fresh) {
    ui.session = data.session;
    ui.restarting = false;
    ui.selected = data.people[0]?.id;
    ui.reply = { group: undefined, private: undefined };
    ui.seen.clear();
    ui.privateOf = undefined;
  }
  if (fresh || languageChanged) drawLabels();
  draw({ quiet: fresh });
}

// ---------------------------------------------------------------- drawing

function drawLabels() {
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

function drawClock() {
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

function draw({ quiet }) {
  drawClock();
  // The private chat first: drawing it marks its lines seen, which the people list shows.
  drawPrivate(quiet);
  drawPeople();
  drawGroup(quiet);
  drawViews();
}

function standingText(who) {
  switch (who.standing) {
    case 'admin':
      return label('standingAdmin');
    case 'readonly':
      return who.until
        ? label('standingReadonlyUntil', { until: dateTime(who.until) })
        : label('standingReadonly');
    case 'left':
      return label('standingLeft');
    case 'applicant':
      return label('standingApplicant');
    case 'banned':
      return who.until
        ? label('standingBannedUntil', { until: dateTime(who.until) })
        : label('standingBanned');
    default:
      return '';
  }
}

const ROLE_LABELS = {
  teacher: 'roleTeacher',
  parent: 'roleParent',
  student: 'roleStudent',
  newcomer: 'roleNewcomer',
};

function unread(who) {
  const lines = ui.state.private[String(who.id)]?.length ?? 0;
  return lines > (ui.seen.get(who.id) ?? 0);
}

function drawPeople() {
  const list = byId('people');
  const entries = ui.state.people.map((who) => {
    const view = { who, unread: unread(who), language: ui.language };
    return { key: `p${who.id}`, sig: JSON.stringify(view), build: () => personElement(view) };
  });
  reconcile(list, entries);
  // Set in place, so the button just pressed keeps the focus.
  for (const button of list.querySelectorAll('.person')) {
    button.setAttribute('aria-pressed', String(Number(button.dataset.id) === ui.selected));
  }
}

function personElement({ who, unread: hasUnread }) {
  const standing = standingText(who);
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: `person${who.standing === 'readonly' ? ' muted' : ''}`,
        'data-id': who.id,
        'aria-pressed': 'false',
      },
      h('span', { class: `avatar ${colorClass(who.id)}`, 'aria-hidden': 'true', text: initials(who.name) }),
      h(
        'span',
        { class: 'who' },
        h('span', { class: 'name', text: who.name }),
        h('span', {
          class: 'role',
          text: [label(ROLE_LABELS[who.role]), standing].filter(Boolean).join(' · '),
        }),
      ),
      hasUnread
        ? h(
            'span',
            { class: 'dot', title: label('unreadPrivate') },
            h('span', { class: 'visually-hidden', text: label('unreadPrivate') }),
          )
        : undefined,
    ),
  );
}

/**
 * Makes `list`'s children match `entries` ({ key, sig, build }): an element whose signature is
 * unchanged stays (focus and screen-reader position with it), others are built anew.
 */
function reconcile(list, entries) {
  const existing = new Map();
  for (const child of list.children) existing.set(child.dataset.key, child);
  const wanted = entries.map((entry) => {
    const old = existing.get(entry.key);
    if (old && old.dataset.sig === entry.sig) {
      existing.delete(entry.key);
      return old;
    }
    const element = entry.build();
    element.dataset.key = entry.key;
    element.dataset.sig = entry.sig;
    return element;
  });
  for (const stale of existing.values()) stale.remove();
  wanted.forEach((element, index) => {
    if (list.children[index] !== element) list.insertBefore(element, list.children[index] ?? null);
  });
}

/** Timeline items with a date line wherever the day changes, as list entries. */
function timelineEntries(items, place) {
  const entries = [];
  let lastDay;
  for (const item of items) {
    const itemDay = dayKey(item.date);
    if (itemDay !== lastDay) {
      lastDay = itemDay;
      const text = day(item.date);
      entries.push({ key: `d${itemDay}`, sig: text, build: () => serviceElement(text, 'date') });
    }
    entries.push({
      key: item.key,
      sig: `${ui.language}|${JSON.stringify(item)}`,
      build: () =>
        item.kind === 'message' ? messageElement(item, place) : serviceElement(serviceText(item)),
    });
  }
  return entries;
}

function serviceText(item) {
  const names = (authors) => authors.map((author) => author.name).join(', ');
  switch (item.kind) {
    case 'created':
      return label('serviceCreated', { actor: item.actor.name, title: ui.state.chat.title });
    case 'joined':
      return item.members.length === 1 && item.members[0]?.id === item.actor.id
        ? label('serviceJoined', { names: names(item.members) })
        : label('serviceAdded', { actor: item.actor.name, names: names(item.members) });
    case 'left':
      return item.actor.id === item.member.id
        ? label('serviceLeft', { name: item.member.name })
        : label('serviceRemoved', { actor: item.actor.name, name: item.member.name });
    case 'readonly':
      return item.until
        ? label('serviceReadonly', { name: item.member.name, until: dateTime(item.until) })
        : label('serviceReadonlyGate', { name: item.member.name });
    case 'writable':
      return label('serviceWritable', { name: item.member.name });
    default:
      return '';
  }
}

function serviceElement(text, kind = 'event') {
  return h('li', { class: `service ${kind}` }, h('span', { text }));
}

function messageElement(item, place) {
  const bubble = h(
    'div',
    { class: 'bubble' },
    h(
      'div',
      { class: `author ${colorClass(item.author.id)}` },
      h('span', { text: item.author.name }),
      item.author.bot ? h('span', { class: 'tag', text: label('botTag') }) : undefined,
    ),
    item.replyTo
      ? h(
          'div',
          { class: 'quote' },
          h('strong', { class: 'quote-author', text: item.replyTo.author }),
          h('span', { class: 'quote-text', text: item.replyTo.text }),
        )
      : undefined,
    h('div', { class: 'text' }, renderText(item.text, item.entities)),
    h(
      'div',
      { class: 'meta' },
      item.edited ? h('span', { text: label('edited') }) : undefined,
      h('time', { datetime: new Date(item.date * 1000).toISOString(), text: clockTime(item.date) }),
    ),
  );
  const keyboard = item.buttons
    ? h(
        'div',
        { class: 'keyboard' },
        ...item.buttons.map((row) =>
          h('div', { class: 'keyboard-row' }, ...row.map((button) => keyButton(item, place, button))),
        ),
      )
    : undefined;
  return h(
    'li',
    { class: `msg${item.author.bot ? ' from-bot' : ''}`, 'data-author': item.author.id },
    place === 'group'
      ? h(
          'span',
          { class: `avatar ${colorClass(item.author.id)}`, 'aria-hidden': 'true' },
          avatarContent(item.author),
        )
      : undefined,
    h('div', { class: 'column' }, bubble, keyboard),
    h('button', { type: 'button', class: 'reply-button', 'data-reply': item.id, text: label('reply') }),
  );
}

function avatarContent(author) {
  if (!author.bot) return document.createTextNode(initials(author.name));
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5z');
  svg.append(path);
  return svg;
}

function keyButton(item, place, button) {
  if (button.url !== undefined) {
    if (!/^https?:\/\//i.test(button.url)) return h('span', { class: 'key', text: button.text });
    return h('a', {
      class: 'key',
      href: button.url,
      target: '_blank',
      rel: 'noopener noreferrer',
      text: button.text,
    });
  }
  if (button.data === undefined) return h('span', { class: 'key', text: button.text });
  return h('button', {
    type: 'button',
    class: 'key',
    'data-press': button.data,
    'data-message': item.id,
    'data-place': place,
    text: button.text,
  });
}

/** The message text with its entities (bold, links, commands…), built from text nodes only. */
function renderText(text, entities) {
  const fragment = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const entity of entities) {
    cuts.add(entity.offset);
    cuts.add(entity.offset + entity.length);
  }
  const points = [...cuts].filter((point) => point >= 0 && point <= text.length).sort((a, b) => a - b);
  for (let index = 0; index < points.length - 1; index += 1) {
    const start = points[index];
    const end = points[index + 1];
    let node = document.createTextNode(text.slice(start, end));
    for (const entity of entities) {
      if (entity.offset <= start && entity.offset + entity.length >= end) {
        node = wrapEntity(node, entity, text.slice(entity.offset, entity.offset + entity.length));
      }
    }
    fragment.append(node);
  }
  return fragment;
}

const ENTITY_TAGS = {
  bold: 'strong',
  italic: 'em',
  underline: 'u',
  strikethrough: 's',
  code: 'code',
  pre: 'code',
};

function wrapEntity(node, entity, whole) {
  if (entity.type === 'url' || entity.type === 'text_link') {
    const target = entity.type === 'url' ? whole : (entity.url ?? '');
    const href = /^https?:\/\//i.test(target) ? target : `https://${target}`;
    // Invite links lead to the real Telegram, which knows nothing of the sandbox.
    if (/^https:\/\/t\.me\//i.test(href)) return h('span', { class: 'link', title: label('tgLink') }, node);
    return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, node);
  }
  const tag = ENTITY_TAGS[entity.type];
  if (tag) return h(tag, {}, node);
  if (['mention', 'text_mention', 'bot_command', 'hashtag', 'email', 'phone_number'].includes(entity.type)) {
    return h('span', { class: 'link' }, node);
  }
  return node;
}

/** Whether each log is scrolled to its end; such a log stays there as messages come and boxes grow. */
const stuck = new WeakMap();

function followEnd(list) {
  stuck.set(list, true);
  list.addEventListener(
    'scroll',
    () => stuck.set(list, list.scrollHeight - list.scrollTop - list.clientHeight < 48),
    { passive: true },
  );
  // The composer's notices and the growing text box make the log shorter without a scroll event.
  new ResizeObserver(() => {
    if (stuck.get(list)) list.scrollTop = list.scrollHeight;
  }).observe(list);
}

function drawLog(list, items, place, quiet) {
  if (quiet) list.setAttribute('aria-live', 'off');
  reconcile(list, timelineEntries(items, place));
  // Whose messages are "mine" and which one is being answered change without a new message.
  const replying = ui.reply[place]?.id;
  for (const element of list.querySelectorAll('.msg')) {
    element.classList.toggle('out', Number(element.dataset.author) === ui.selected);
    element.classList.toggle('selected', element.dataset.key === `m${replying}`);
  }
  if (quiet) {
    // Restored after this task, so that the redraw itself is not read out.
    setTimeout(() => list.setAttribute('aria-live', 'polite'), 0);
    stuck.set(list, true);
  }
  if (stuck.get(list)) list.scrollTop = list.scrollHeight;
}

function drawGroup(quiet) {
  const { chat } = ui.state;
  const me = person(ui.selected);
  byId('group-title').textContent = chat.title;
  byId('group-avatar').textContent = (chat.title.split(/\s+/)[0] ?? '').slice(0, 2);
  byId('group-subtitle').textContent = label('groupSubtitle', {
    count: chat.memberCount,
    name: me?.name ?? '',
  });
  const leave = byId('leave');
  leave.hidden = !me || me.role === 'teacher' || !inGroup(me);
  if (me) leave.setAttribute('aria-label', label('leaveLong', { name: me.name }));
  drawComposer('group', me);
  drawLog(byId('group-log'), ui.state.group, 'group', quiet);
}

function drawPrivate(quiet) {
  const me = person(ui.selected);
  const items = me ? (ui.state.private[String(me.id)] ?? []) : [];
  const switched = ui.privateOf !== ui.selected;
  ui.privateOf = ui.selected;
  byId('private-subtitle').textContent = label('privateSubtitle', {
    bot: ui.state.bot.name,
    name: me?.name ?? '',
  });
  const list = byId('private-log');
  drawComposer('private', me);
  drawLog(list, items, 'private', quiet || switched);
  list.classList.toggle('empty', items.length === 0);
  list.dataset.empty = label('privateEmpty');
  if (me && (WIDE.matches || ui.view === 'private')) ui.seen.set(me.id, items.length);
}

function drawComposer(place, me) {
  const form = byId(`${place}-composer`);
  const input = form.querySelector('textarea');
  const inputLabel = form.querySelector('label');
  inputLabel.textContent = label(place === 'group' ? 'composerGroup' : 'composerPrivate', {
    name: me?.name ?? '',
  });
  const reply = ui.reply[place];
  const preview = form.querySelector('.reply-preview');
  preview.hidden = !reply;
  if (reply) {
    preview.querySelector('.quote-author').textContent = label('replyTo', { name: reply.author });
    preview.querySelector('.quote-text').textContent = reply.text;
  }
  if (place !== 'group') return;
  const notice = byId('group-notice');
  const text = noticeText(me);
  notice.hidden = text === '';
  byId('group-notice-text').textContent = text;
  byId('request-again').hidden = me?.standing !== 'left';
  form.classList.toggle('readonly', me?.standing === 'readonly');
  input.setAttribute('aria-describedby', 'group-notice-text');
}

function noticeText(me) {
  if (!me) return '';
  switch (me.standing) {
    case 'readonly':
      return me.until
        ? label('noticeReadonly', { name: me.name, until: dateTime(me.until) })
        : label('noticeReadonlyGate', { name: me.name });
    case 'left':
      return label('noticeLeft', { name: me.name });
    case 'applicant':
      return label('noticeApplicant', { name: me.name });
    case 'banned':
      return me.until
        ? label('noticeBanned', { name: me.name, until: dateTime(me.until) })
        : label('noticeBannedForever', { name: me.name });
    default:
      return '';
  }
}

function drawViews() {
  byId('group-pane').closest('main').dataset.view = ui.view;
  for (const button of document.querySelectorAll('.views [data-view]')) {
    const me = person(ui.selected);
    button.setAttribute('aria-pressed', String(button.dataset.view === ui.view));
    if (button.dataset.view === 'private') button.classList.toggle('has-unread', Boolean(me && unread(me)));
  }
}

// ---------------------------------------------------------------- feedback

function showBanner(text) {
  const banner = byId('banner');
  if (banner.textContent !== text) banner.textContent = text;
  banner.hidden = false;
}

function hideBanner() {
  byId('banner').hidden = true;
}

/** A short note at the bottom of the page, like Telegram's answer to a button press. */
function toast(text, kind = 'info') {
  const note = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : undefined, text });
  byId('toasts').append(note);
  setTimeout(() => note.remove(), kind === 'error' ? 7000 : 4500);
}

function alertBox(text) {
  const dialog = byId('alert');
  byId('alert-text').textContent = text;
  dialog.showModal();
  byId('alert-ok').focus();
}

function showRefusal(place, detail) {
  const box = byId(`${place}-composer`).querySelector('.refusal');
  box.replaceChildren(h('span', { text: label('refusedPost') }), ' ', h('code', { text: detail }));
  box.hidden = false;
}

function hideRefusal(place) {
  byId(`${place}-composer`).querySelector('.refusal').hidden = true;
}

// ---------------------------------------------------------------- what the visitor does

function select(id) {
  if (id === ui.selected) return;
  ui.selected = id;
  ui.reply = { group: undefined, private: undefined };
  hideRefusal('group');
  hideRefusal('private');
  draw({ quiet: false });
}

function chooseReply(place, messageId) {
  const items = place === 'group' ? ui.state.group : (ui.state.private[String(ui.selected)] ?? []);
  const item = items.find((candidate) => candidate.kind === 'message' && candidate.id === messageId);
  if (!item) return;
  const firstLine = item.text.split('\n')[0] ?? '';
  ui.reply[place] = { id: item.id, author: item.author.name, text: firstLine.slice(0, 90) };
  draw({ quiet: false });
  byId(`${place}-input`).focus();
}

function cancelReply(place) {
  ui.reply[place] = undefined;
  draw({ quiet: false });
}

async function send(place) {
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
    const list = byId(`${place}-log`);
    stuck.set(list, true);
    list.scrollTop = list.scrollHeight;
  } catch (error) {
    if (error instanceof ActionError && error.code === 'refused') showRefusal(place, error.detail);
    else toast(explain(error), 'error');
  } finally {
    form.removeAttribute('aria-busy');
    input.focus();
  }
}

async function press(button) {
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

async function run(button, name, body, after) {
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

function restart(button, name, body) {
  void run(button, name, body, () => {
    ui.restarting = true;
    showBanner(label('restarting'));
  });
}

function fitInput(input) {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

function setView(view) {
  ui.view = view;
  draw({ quiet: false });
}

// ---------------------------------------------------------------- wiring

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
