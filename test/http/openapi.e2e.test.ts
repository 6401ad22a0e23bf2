import { describe, expect, it } from 'vitest';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { EVENT_SCHEMAS } from '../../src/features/roster/schemas.js';
import { apiRoutes } from '../../src/http/api.js';
import { openApiPath } from '../../src/http/openapi.js';
import { checkJsonSchema } from '../support/json-schema.js';
import { api, schoolToken } from '../support/roster.js';
import { sharedHarness } from '../support/shared-harness.js';

// The school API's OpenAPI document, served by the running bot, against the routes the bot registers and
// the answers it gives: every route is in it, its examples are accepted, what it forbids is refused.

type Json = Record<string, unknown>;
interface Operation {
  security?: unknown[];
  parameters?: Array<{ name: string; schema: Json; example: string }>;
  requestBody?: { content: { 'application/json': { schema: Json; example: Json } } };
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}
interface Document {
  openapi: string;
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Json>; schemas: Record<string, Json> };
}

const shared = sharedHarness(async (h) => {
  const created = await createRosterRepository(h.db.database.db).createSchool('Школа №1', h.clock.now());
  const token = await schoolToken(h, created.id);
  const response = await fetch(`http://127.0.0.1:${h.bot.httpPort}/api/v1/openapi.json`);
  return {
    token,
    document: (await response.json()) as Document,
    contentType: response.headers.get('content-type'),
  };
});

function operations(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );
}

/** The path with each parameter's documented example (or `values`) in its place. */
function fill(path: string, operation: Operation, values: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = operation.parameters?.find((p) => p.name === name);
    return encodeURIComponent(values[name] ?? param?.example ?? '');
  });
}

/** Checks an answer against the schema the document gives for its status (with the document for $ref). */
function followsDocument(document: Document, operation: Operation, status: number, body: unknown): string[] {
  const response = operation.responses[String(status)];
  if (!response) return [`status ${status} is not documented`];
  const schema = response.content?.['application/json']?.schema;
  return schema ? checkJsonSchema(schema, body, document as unknown as Json) : [];
}

describe('the school API’s OpenAPI document', () => {
  it('is OpenAPI 3.1 JSON with the school token as bearer authentication', () => {
    const { document, contentType } = shared.state;
    expect(contentType).toMatch(/^application\/json/);
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.components.securitySchemes.schoolToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ schoolToken: [] }]);
  });

  it('lists exactly the routes registered under /api/v1, each with its method', () => {
    const { h, state } = shared;
    const registered = new Set(
      apiRoutes(h.app.services, () => 'bot')
        .routes.filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/v1/'))
        .map((route) => `${route.method} ${openApiPath(route.path)}`),
    );
    const documented = operations(state.document).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(registered.size).toBeGreaterThanOrEqual(19);
    expect(documented.sort()).toEqual([...registered].sort());
    // A batch's events are the roster's every event type.
    const events = state.document.paths['/api/v1/roster/events']?.post?.requestBody;
    const properties = events?.content['application/json'].schema.properties as Json | undefined;
    const batch = properties?.events as { items: { oneOf: unknown[] } } | undefined;
    expect(batch?.items.oneOf).toHaveLength(Object.keys(EVENT_SCHEMAS).length);
  });

  it('the running bot serves every documented route: without a token 401, the reference without one', async () => {
    const { h, state } = shared;
    for (const { path, method, operation } of operations(state.document)) {
      const response = await fetch(`http://127.0.0.1:${h.bot.httpPort}${fill(path, operation)}`, {
        method: method.toUpperCase(),
      });
      await response.body?.cancel();
      expect([method, path, response.status]).toEqual([method, path, operation.security ? 200 : 401]);
    }
  });

  it('a body valid per the document is accepted and an invalid one refused with 400, changing nothing', async () => {
    const { h, state } = shared;
    const { token, document } = state;
    const withBodies = operations(document).filter((o) => o.operation.requestBody);
    expect(withBodies.map((o) => `${o.method} ${o.path}`)).toEqual([
      'post /api/v1/roster/events',
      'put /api/v1/roster',
      'post /api/v1/invitations',
      'post /api/v1/people/account/{platform}/{id}/erase',
      'post /api/v1/people/{kind}/{id}/erase',
      'put /api/v1/retention',
      'put /api/v1/privacy',
    ]);
    const before = await api(h, 'GET', '/api/v1/retention', { token });
    const statuses: number[] = [];
    for (const { path, method, operation } of withBodies) {
      const { schema, example } = operation.requestBody?.content['application/json'] ?? {
        schema: {},
        example: {},
      };
      const url = fill(path, operation);
      const verb = method.toUpperCase() as 'POST' | 'PUT';
      // Every field of the example with a value of the wrong type: the document forbids it, the bot too.
      const invalid = Object.fromEntries(Object.keys(example).map((key) => [key, true]));
      expect(checkJsonSchema(schema, invalid, document as unknown as Json)).not.toEqual([]);
      const refused = await api(h, verb, url, { token, body: invalid });
      expect([url, refused.status]).toEqual([url, 400]);
      expect(refused.body.error).toEqual(expect.any(String));
      expect(followsDocument(document, operation, 400, refused.body)).toEqual([]);

      expect(checkJsonSchema(schema, example, document as unknown as Json)).toEqual([]);
      const accepted = await api(h, verb, url, { token, body: example });
      expect([url, accepted.status]).toEqual([url, expect.any(Number)]);
      expect(accepted.status, `${url}: ${JSON.stringify(accepted.body)}`).not.toBe(400);
      expect(accepted.status).toBeLessThan(500);
      expect(followsDocument(document, operation, accepted.status, accepted.body)).toEqual([]);
      statuses.push(accepted.status);
    }
    // Applied, except the erasure of an account the school has never seen (not found, as documented).
    expect(statuses).toEqual([200, 200, 201, 404, 200, 200, 200]);
    // The refusals changed nothing; the examples did: the roster has S-101, the retention is the example's.
    expect(before.body.set).toEqual({ strikeDays: null, departedDays: null, auditDays: null });
    const after = await api(h, 'GET', '/api/v1/retention', { token });
    expect(after.body.set).toEqual({ strikeDays: 180, departedDays: null, auditDays: null });
    const acts = await api(h, 'GET', '/api/v1/acts', { token });
    expect((acts.body.acts as unknown[]).length).toBe(1);
  });

  it('every GET answers as its documented schema says', async () => {
    const { h, state } = shared;
    const { token, document } = state;
    const acts = await api(h, 'GET', '/api/v1/acts', { token });
    const actId = String((acts.body.acts as Array<{ id: number }>)[0]?.id ?? 1);
    for (const { path, method, operation } of operations(document)) {
      if (method !== 'get' || !operation.responses['401']) continue;
      const url = fill(path, operation, path === '/api/v1/acts/{id}' ? { id: actId } : {});
      const answer = await api(h, 'GET', url, { token });
      expect(answer.status).toBeLessThan(500);
      expect([url, followsDocument(document, operation, answer.status, answer.body)]).toEqual([url, []]);
    }
  });

  it('a path parameter the document forbids is refused with 400', async () => {
    const { h, state } = shared;
    const { token, document } = state;
    const bad: Record<string, string> = { kind: 'teacher', id: 'no!', platform: 'icq' };
    let checked = 0;
    for (const { path, method, operation } of operations(document)) {
      for (const param of operation.parameters ?? []) {
        const value =
          param.schema.pattern === '^\\d{1,9}$' || param.schema.pattern === '^-?\\d{1,20}$'
            ? 'x1'
            : (bad[param.name] ?? 'x');
        expect(checkJsonSchema(param.schema, value)).not.toEqual([]);
        const url = fill(path, operation, { [param.name]: value });
        const body = operation.requestBody?.content['application/json'].example;
        const answer = await api(h, method.toUpperCase() as 'GET' | 'POST', url, {
          token,
          ...(body ? { body } : {}),
        });
        expect([url, answer.status]).toEqual([url, 400]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('the reference page lists every route, with no script and nothing from elsewhere', async () => {
    const { h, state } = shared;
    const base = `http://127.0.0.1:${h.bot.httpPort}`;
    const response = await fetch(`${base}/api/v1/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    for (const { path, method } of operations(state.document))
      expect(html).toContain(`<span class="method">${method.toUpperCase()}</span> <code>${path}</code>`);
    expect(html).toContain('Authorization: Bearer &lt;school token&gt;');
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const css = await fetch(`${base}/api/v1/docs.css`);
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    expect(await css.text()).toContain('.route');
  });
});
