import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../config.js';
import type { HttpRequest, HttpResponse, Route } from '../http/server.js';
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

// Text files only: the HTTP server writes string bodies. (The screenshot there is for the README.)
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

function problem(status: number, error: string, extra: Record<string, unknown> = {}): HttpResponse {
  return { status, body: { error, ...extra } };
}

const RESTARTING = problem(503, 'the sandbox is restarting; try again in a moment', { code: 'restarting' });

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
  control: SandboxControl,
  name: string,
  schema: T,
  run: (session: SandboxSession, body: z.infer<T>) => Promise<Record<string, unknown>>,
): Route {
  return {
    method: 'POST',
    path: `/sandbox/api/${name}`,
    bodyLimit: ACTION_BODY_LIMIT,
    async handle(request) {
      // Requiring JSON also keeps other sites' pages out: a cross-origin JSON POST needs a preflight
      // this server never grants.
      const type = String(request.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase();
      if (type !== 'application/json') {
        return problem(415, 'the body must be JSON (Content-Type: application/json)');
      }
      let json: unknown;
      try {
        json = JSON.parse(request.body === '' ? '{}' : request.body);
      } catch {
        return problem(400, 'the body is not valid JSON');
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) return problem(400, describeIssues(parsed.error));
      const session = control.session();
      if (!session) return RESTARTING;
      try {
        return { status: 200, body: { ok: true, ...(await run(session, parsed.data)) } };
      } catch (error) {
        if (error instanceof SandboxRefusal) return problem(409, error.detail, { code: error.code });
        throw error;
      }
    },
  };
}

/** The page's own files (HTML, CSS, JS, SVG) under /sandbox/. */
function pageRoutes(): Route[] {
  let names: string[];
  try {
    names = readdirSync(PUBLIC_DIR).filter((name) => CONTENT_TYPES[path.extname(name)] !== undefined);
  } catch {
    throw new Error(`the sandbox page is missing from ${PUBLIC_DIR}`);
  }
  return names.map((name) => {
    const response: HttpResponse = {
      status: 200,
      body: readFileSync(path.join(PUBLIC_DIR, name), 'utf8'),
      headers: { ...PAGE_HEADERS, 'content-type': CONTENT_TYPES[path.extname(name)] ?? 'text/plain' },
    };
    return {
      method: 'GET',
      path: name === 'index.html' ? '/sandbox' : `/sandbox/${name}`,
      handle: async () => response,
    };
  });
}

/**
 * Routes of the sandbox on the bot's HTTP port: the page at `/sandbox` and its JSON API under
 * `/sandbox/api/`. `GET /sandbox/api/state?since=<version>` answers the full state, or a few numbers
 * when nothing changed, so the page can poll it several times a second.
 */
export function sandboxRoutes(control: SandboxControl): Route[] {
  const redirect: Route['handle'] = async () => ({ status: 302, headers: { location: '/sandbox' } });
  return [
    ...pageRoutes(),
    { method: 'GET', path: '/', handle: redirect },
    { method: 'GET', path: '/sandbox/', handle: redirect },
    {
      method: 'GET',
      path: '/sandbox/api/state',
      async handle(request: HttpRequest) {
        const since = request.query.get('since');
        const version = since === null || since === '' ? undefined : Number(since);
        if (version !== undefined && !Number.isSafeInteger(version)) {
          return problem(400, 'since: must be a version number from an earlier answer');
        }
        const state = control.state(version);
        return state ? { status: 200, body: { ...state } } : RESTARTING;
      },
    },
    action(control, 'post', Bodies.post, async (session, body) => {
      await session.post(body.as, body.chat, body.text, body.replyTo);
      return {};
    }),
    action(control, 'press', Bodies.press, async (session, body) => {
      const answer = await session.press(body.as, body.chat, body.messageId, body.data);
      return answer ? { answer } : {};
    }),
    action(control, 'add-newcomer', Bodies.addNewcomer, async (session, body) => ({
      person: await session.addNewcomer(body.name || undefined, body.via),
    })),
    action(control, 'request-join', Bodies.person, async (session, body) => {
      await session.requestJoin(body.as);
      return {};
    }),
    action(control, 'leave', Bodies.person, async (session, body) => {
      await session.leave(body.as);
      return {};
    }),
    action(control, 'advance', Bodies.advance, async (session, body) => {
      await session.advance(STEPS[body.step]);
      return {};
    }),
    action(control, 'reset', Bodies.reset, async (session) => {
      control.reset(session.language);
      return { restarting: true };
    }),
    action(control, 'language', Bodies.language, async (_session, body) => {
      control.reset(body.language);
      return { restarting: true };
    }),
  ];
}
