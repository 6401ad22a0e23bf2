/**
 * A refusal the fake answers with: HTTP status plus the schema's `Error` body `{code, message}`.
 *
 * Where the codes come from (see /work/notes/max-api.md): `verify.token` and `attachment.not.ready` are in the
 * official clients; `not.found`, `access.denied` and `chat.denied` (e.g. `error.dialog.suspended`) are what
 * other MAX integrations see in production. `too.many.requests`, `proto.payload`, `internal.error` and
 * `method.not.allowed` follow the same naming but were not seen anywhere: the fake's choice. A connector
 * should classify by HTTP status first and use the code only to refine.
 */
export class MaxApiError extends Error {
  override readonly name = 'MaxApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    override readonly message: string,
  ) {
    super(message);
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The refusals the fake raises, by cause. */
export const MAX_ERRORS = {
  token: () => new MaxApiError(401, 'verify.token', 'Invalid access_token'),
  tooMany: () => new MaxApiError(429, 'too.many.requests', 'Too many requests'),
  internal: (status = 500) => new MaxApiError(status, 'internal.error', 'Internal server error'),
  payload: (detail: string) => new MaxApiError(400, 'proto.payload', detail),
  notFound: (what: string) => new MaxApiError(404, 'not.found', what),
  noPath: (path: string) => new MaxApiError(404, 'not.found', `Path ${path} not found`),
  /** The bot lacks an admin right, or is not an admin where one is needed. */
  noRights: (detail: string) => new MaxApiError(403, 'access.denied', detail),
  /** The bot is not (or no longer) in the chat. */
  notInChat: (chatId: number) => new MaxApiError(403, 'chat.denied', `Bot is not a member of chat ${chatId}`),
  /** The person stopped the bot or never started it. */
  dialogSuspended: (userId: number) =>
    new MaxApiError(403, 'chat.denied', `Key: error.dialog.suspended, args: [${userId},].`),
  pollingWhileSubscribed: () =>
    new MaxApiError(
      405,
      'method.not.allowed',
      'Long polling is not available: bot has webhook subscriptions',
    ),
} as const;

/**
 * Thrown by the simulation helpers when MAX would not let a person do what the test asked (posting in a
 * chat they are not in, joining a chat that blocked them). Tests assert on it.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}
