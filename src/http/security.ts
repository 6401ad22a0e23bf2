import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * The security headers of every answer on the bot's HTTP port (Hono's `secureHeaders`): a Content-Security-
 * Policy allowing only the bot's own scripts, styles and images (no inline script, no CDN), no framing, no
 * MIME sniffing, no Referer; Strict-Transport-Security only where the port is reached over https. A route
 * that sets one of these headers itself keeps its own (the sandbox page's stricter policy).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/**
 * Half a year, without `includeSubDomains`: the bot's host says nothing about other hosts of the school's
 * domain, which may still be served over plain http.
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=15552000';

/** Whether the request reached the bot over https: TLS here, or a TLS proxy's `X-Forwarded-Proto: https`. */
function overHttps(c: Context): boolean {
  if (c.req.url.startsWith('https:')) return true;
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https';
}

/**
 * @param https the port's public URL is https (PUBLIC_URL, a webhook URL): HSTS on every answer. Without
 * it HSTS still goes with each request that came over https (browsers ignore it over plain http anyway).
 */
export function securityHeaders(options: { https: boolean }): MiddlewareHandler {
  const common = {
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    xContentTypeOptions: 'nosniff',
    // A route's own header wins: the sandbox page sets a stricter policy of its own.
    overwrite: false,
  } as const;
  const plain = secureHeaders({ ...common, strictTransportSecurity: false });
  const strict = secureHeaders({ ...common, strictTransportSecurity: STRICT_TRANSPORT_SECURITY });
  return (c, next) => (options.https || overHttps(c) ? strict(c, next) : plain(c, next));
}
