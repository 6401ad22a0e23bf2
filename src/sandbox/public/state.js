// What the page knows: the last state from the sandbox and the visitor's choices, in one object that
// every module reads and changes.

/** Both chats side by side from this width; below it the visitor switches between them. */
export const WIDE = window.matchMedia('(min-width: 1024px)');

export const ui = {
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

export function person(id) {
  return ui.state?.people.find((candidate) => candidate.id === id);
}

export function inGroup(who) {
  return who.standing === 'admin' || who.standing === 'member' || who.standing === 'readonly';
}
