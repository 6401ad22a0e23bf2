// Talking to the sandbox: the actions the visitor runs and the poll of the state, which draws what changed.
import { hideBanner, showBanner } from './feedback.js';
import { label } from './format.js';
import { draw, drawClock, drawLabels } from './page-view.js';
import { ui } from './state.js';

const POLL_MS = 700;

export class ActionError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.detail = body?.error ?? '';
  }
}

/** Runs an action; the next poll follows at once, so its effect shows without waiting. */
export async function act(name, body) {
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
export function explain(error) {
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
export async function poll() {
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
