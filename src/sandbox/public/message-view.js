// A chat's timeline as list items: messages (text with entities, quotes, keyboards), service lines, dates.
import { h } from './dom.js';
import { clockTime, colorClass, dateTime, day, dayKey, initials, label } from './format.js';
import { ui } from './state.js';

/** Timeline items with a date line wherever the day changes, as list entries. */
export function timelineEntries(items, place) {
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
