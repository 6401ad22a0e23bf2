// The two chats: the group and the private chat with the bot, each a log and a composer.
import { byId, reconcile } from './dom.js';
import { dateTime, label } from './format.js';
import { timelineEntries } from './message-view.js';
import { inGroup, person, ui, WIDE } from './state.js';

/** Whether each log is scrolled to its end; such a log stays there as messages come and boxes grow. */
const stuck = new WeakMap();

export function followEnd(list) {
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

/** Scrolls `list` to its end and keeps it there as messages come. */
export function stickToEnd(list) {
  stuck.set(list, true);
  list.scrollTop = list.scrollHeight;
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

export function drawGroup(quiet) {
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

export function drawPrivate(quiet) {
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
