import { MessengerError } from '../port.js';

/** Error codes of a connection that failed (Node's sockets, DNS, undici): worth another try later. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * A timeout or a failed connection, as either connector's HTTP client reports it, as our NETWORK error;
 * undefined for anything else (each connector knows what its API's own errors look like).
 */
export function networkError(error: unknown, method: string): MessengerError | undefined {
  const err = error as { name?: string; code?: string; type?: string } | undefined;
  if (err && (err.name === 'AbortError' || err.name === 'TimeoutError' || err.type === 'aborted')) {
    return new MessengerError('NETWORK', `${method}: timed out`);
  }
  if (err?.code && NETWORK_CODES.has(err.code))
    return new MessengerError('NETWORK', `${method}: ${err.code}`);
  return undefined;
}
