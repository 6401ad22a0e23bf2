import { Hono } from 'hono';
import type { Connector } from '../messenger/connector.js';
import { type HttpEnv, json, text } from './context.js';

export interface HealthSources {
  /** Resolves when the database answers. */
  pingDatabase(): Promise<unknown>;
  /** The platforms, each asked whether its API answers (the connector caches and shares that ask). */
  platforms: ReadonlyArray<Pick<Connector, 'name' | 'reachable'>>;
  /** /metrics in Prometheus's text format. */
  metrics(): Promise<string>;
}

/**
 * `GET /healthz`: 200 `{"status":"ok","database":"ok","telegram":"ok"}` when the database and every
 * platform answer, 503 `degraded` otherwise; and `GET /metrics` for Prometheus.
 */
export function healthRoutes(sources: HealthSources): Hono<HttpEnv> {
  const routes = new Hono<HttpEnv>();
  routes.get('/healthz', async (c) => {
    const database = await sources.pingDatabase().then(
      () => 'ok',
      () => 'unreachable',
    );
    const platforms = Object.fromEntries(
      await Promise.all(
        sources.platforms.map(
          async (p) => [p.name.toLowerCase(), (await p.reachable()) ? 'ok' : 'unreachable'] as const,
        ),
      ),
    );
    const healthy = database === 'ok' && Object.values(platforms).every((state) => state === 'ok');
    return json(c, healthy ? 200 : 503, { status: healthy ? 'ok' : 'degraded', database, ...platforms });
  });
  routes.get('/metrics', async (c) =>
    text(c, 200, await sources.metrics(), { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  return routes;
}
