import type { ResponseParameters } from 'telegraf/types';

/**
 * A refusal the fake answers with, shaped like the Bot API's `{ ok: false, error_code, description }`.
 * Descriptions follow telegram-bot-api / TDLib wording (`Bad Request: …`, `Forbidden: …`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }
}

/** `400 Bad Request: <message>`; like the Bot API, a lower-case first letter unless the text is an error code. */
export function badRequest(message: string, parameters?: ResponseParameters): ApiError {
  return new ApiError(400, `Bad Request: ${lowerFirst(message)}`, parameters);
}

/** `403 Forbidden: <message>`. */
export function forbidden(message: string): ApiError {
  return new ApiError(403, `Forbidden: ${lowerFirst(message)}`);
}

/** `409 Conflict: <message>`. */
export function conflict(message: string): ApiError {
  return new ApiError(409, `Conflict: ${message}`);
}

/** `429 Too Many Requests: retry after N` with `parameters.retry_after`. */
export function tooManyRequests(retryAfter: number): ApiError {
  return new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** A server-side failure (`500`, `502`, `503`); clients such as telegraf only look at the HTTP status. */
export function serverError(status: number): ApiError {
  return new ApiError(status, STATUS_TEXT[status] ?? 'Internal Server Error');
}

/**
 * Thrown by the scenario helpers (`sendMessage`, `pressButton`, `requestJoin`, …) when Telegram would not let
 * a person do what the test asked, e.g. a read-only member posting. Tests assert on it.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

// telegram-bot-api keeps "Bad Request: USER_NOT_PARTICIPANT" upper-case and lower-cases prose.
function lowerFirst(message: string): string {
  const second = message[1];
  if (second !== undefined && (second === '_' || (second >= 'A' && second <= 'Z'))) return message;
  return message.charAt(0).toLowerCase() + message.slice(1);
}
