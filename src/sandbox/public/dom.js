// Building and updating the page's elements.

export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
}

/** Creates an element with attributes (`class`, `text` and plain attributes) and children. */
export function h(tag, attributes = {}, ...children) {
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

/**
 * Makes `list`'s children match `entries` ({ key, sig, build }): an element whose signature is
 * unchanged stays (focus and screen-reader position with it), others are built anew.
 */
export function reconcile(list, entries) {
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
