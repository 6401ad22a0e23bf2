import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../config.js';
import { expectJson, limitBody, readJson } from '../http/body.js';
import { type HttpEnv, json, problem } from '../http/context.js';
import { DAY, HOUR } from '../lib/clock.js';
import { SandboxRefusal, type SandboxSession } from './session.js';
import type { SandboxState } from './view.js';

/** The sandbox as its routes see it: the running session, the page's state, and resets. */
export interface SandboxControl {
  /** The running session, or undefined while the sandbox restarts. */
  session(): SandboxSession | undefined;
  /** The page's state, or only `{ version, … }` when nothing changed since version `since`. */
  state(since: number | undefined): SandboxState | UnchangedState | undefined;
  /** Starts the sandbox again from a clean slate, in `language`; the page waits for it. */
  reset(language: Language): void;
}

/** The answer to a state poll when nothing changed: the page only moves its clock. */
export interface UnchangedState {
  readonly session: number;
  readonly version: number;
  readonly now: number;
  readonly changed: false;
}

/** The page's files, served from memory. */
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

// Text files only, served as strings. (The screenshot there is for the README.)
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
};

/** The page talks only to its own origin; nothing is inlined, so the policy can be strict. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const ACTION_BODY_LIMIT = 16 * 1024;

const STEPS = { '1h': HOUR, '1d': DAY, '7d': 7 * DAY } as const;

const PersonId = z.number({ message: 'must be a person id (a number)' }).int().positive();
const Place = z.enum(['group', 'private'], { message: "must be 'group' or 'private'" });
const MessageId = z.number({ message: 'must be a message id (a number)' }).int().positive();

/** Bodies of the page's actions: each route validates its own and answers 400 naming what is wrong. */
const Bodies = {
  post: z.strictObject({
    as: PersonId,
    chat: Place,
    text: z
      .string({ message: 'must be text' })
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(4096, { message: 'must be at most 4096 characters (Telegram’s limit)' }),
    replyTo: MessageId.optional(),
  }),
  press: z.strictObject({
    as: PersonId,
    chat: Place,
    messageId: MessageId,
    data: z.string({ message: 'must be the button’s callback data' }).min(1).max(64),
  }),
  addNewcomer: z.strictObject({
    name: z
      .string({ message: 'must be text' })
      .trim()
      .max(64, { message: 'must be at most 64 characters' })
      .optional(),
    via: z.enum(['added', 'request'], { message: "must be 'added' or 'request'" }),
  }),
  person: z.strictObject({ as: PersonId }),
  advance: z.strictObject({
    step: z.enum(['1h', '1d', '7d'], { message: "must be '1h', '1d' or '7d'" }),
  }),
  reset: z.strictObject({}),
  language: z.strictObject({
    language: z.enum(LANGUAGES, { message: `must be one of ${LANGUAGES.join(', ')}` }),
  }),
};

/** 503 while the sandbox restarts: the page waits and asks again. */
function restarting(c: Context): Response {
  return problem(c, 503, 'the sandbox is restarting; try again in a moment', { code: 'restarting' });
}

/** "text: must not be empty; as: must be a person id (a number)" */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/**
 * A POST route whose JSON body is checked against `schema` before `run` sees it. Refusals become 409
 * with their code; a request while the sandbox restarts gets 503.
 */
function action<T extends z.ZodType>(
  app: Hono<HttpEnv>,
  control: SandboxControl,
  name: string,
  schema: T,
  run: (session: SandboxSession, body: z.infer<T>) => Promise<Record<string, unknown>>,
): void {
  // Requiring JSON also keeps other sites' pages out: a cross-origin JSON POST needs a preflight this
  // server never grants.
  app.post(
    `/sandbox/api/${name}`,
    expectJson,
    limitBody(ACTION_BODY_LIMIT),
    readJson({ empty: {} }),
    async (c) => {
      const parsed = schema.safeParse(c.var.json);
      if (!parsed.success) return problem(c, 400, describeIssues(parsed.error));
      const session = control.session();
      if (!session) return restarting(c);
      try {
        return json(c, 200, { ok: true, ...(await run(session, parsed.data)) });
      } catch (error) {
        if (error instanceof SandboxRefusal) return problem(c, 409, error.detail, { code: error.code });
        throw error;
      }
    },
  );
}

/** The page's own files (HTML, CSS, JS, SVG) under /sandbox/, read once and served from memory. */
function pageRoutes(app: Hono<HttpEnv>): void {
  let names: string[];
  try {
    names = readdirSync(PUBLIC_DIR).filter((name) => CONTENT_TYPES[path.extname(name)] !== undefined);
  } catch {
    throw new Error(`the sandbox page is missing from ${PUBLIC_DIR}`);
  }
  for (const name of names) {
    const body = readFileSync(path.join(PUBLIC_DIR, name), 'utf8');
    const headers = { ...PAGE_HEADERS, 'content-type': CONTENT_TYPES[path.extname(name)] ?? 'text/plain' };
    app.get(name === 'index.html' ? '/sandbox' : `/sandbox/${name}`, (c) => c.body(body, 200, headers));
  }
}

/**
 * The sandbox on the bot's HTTP port, as a Hono sub-app: the page at `/sandbox` and its JSON API under
 * `/sandbox/api/`. `GET /sandbox/api/state?since=<version>` answers the full state, or a few numbers
 * when nothing changed, so the page can poll it several times a second.
 */
export function sandboxRoutes(control: SandboxControl, sandboxHost: string): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  // Only a page opened as this machine (or SANDBOX_HOST) may drive the sandbox: a site that points a
  // DNS name of its own at 127.0.0.1 (DNS rebinding) gets its Host header refused.
  const allowed = new Set(['localhost', '127.0.0.1', '[::1]', sandboxHost.toLowerCase()]);
  const sameHost: MiddlewareHandler<HttpEnv> = async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!allowed.has(host)) return problem(c, 421, 'the sandbox answers only as localhost (or SANDBOX_HOST)');
    return next();
  };
  for (const path of ['/', '/sandbox', '/sandbox/*']) app.use(path, sameHost);
  pageRoutes(app);
  app.get('/', (c) => c.redirect('/sandbox', 302));
  app.get('/sandbox/', (c) => c.redirect('/sandbox', 302));
  app.get('/sandbox/api/state', (c) => {
    const since = c.req.query('since');
    const version = since === undefined || since === '' ? undefined : Number(since);
    if (version !== undefined && !Number.isSafeInteger(version)) {
      return problem(c, 400, 'since: must be a version number from an earlier answer');
    }
    const state = control.state(version);
    return state ? json(c, 200, { ...state }) : restarting(c);
  });
  action(app, control, 'post', Bodies.post, async (session, body) => {
    await session.post(body.as, body.chat, body.text, body.replyTo);
    return {};
  });
  action(app, control, 'press', Bodies.press, async (session, body) => {
    const answer = await session.press(body.as, body.chat, body.messageId, body.data);
    return answer ? { answer } : {};
  });
  action(app, control, 'add-newcomer', Bodies.addNewcomer, async (session, body) => ({
    person: await session.addNewcomer(body.name || undefined, body.via),
  }));
  action(app, control, 'request-join', Bodies.person, async (session, body) => {
    await session.requestJoin(body.as);
    return {};
  });
  action(app, control, 'leave', Bodies.person, async (session, body) => {
    await session.leave(body.as);
    return {};
  });
  action(app, control, 'advance', Bodies.advance, async (session, body) => {
    await session.advance(STEPS[body.step]);
    return {};
  });
  action(app, control, 'reset', Bodies.reset, async (session) => {
    control.reset(session.language);
    return { restarting: true };
  });
  action(app, control, 'language', Bodies.language, async (_session, body) => {
    control.reset(body.language);
    return { restarting: true };
  });
  return app;
}
