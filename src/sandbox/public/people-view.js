// The list of people the visitor can play, with their role, standing and unread private lines.
import { byId, h, reconcile } from './dom.js';
import { colorClass, dateTime, initials, label } from './format.js';
import { ui } from './state.js';

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

export function unread(who) {
  const lines = ui.state.private[String(who.id)]?.length ?? 0;
  return lines > (ui.seen.get(who.id) ?? 0);
}

export function drawPeople() {
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
