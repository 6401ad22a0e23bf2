import { Hono } from 'hono';
import { API_ROUTES, type ApiRoute } from './api-doc.js';
import { type HttpEnv, JSON_TYPE } from './context.js';
import { jsonSchema, openApiDocument, openApiPath } from './openapi.js';

/**
 * The school API's reference: `GET /api/v1/openapi.json` (OpenAPI 3.1) and `GET /api/v1/docs`, the same
 * routes as a page rendered here (no script, no CDN; its style sheet is `/api/v1/docs.css`).
 */

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A sentence of the document: escaped, its `code` marked as code. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const code = (value: unknown) => `<pre><code>${escapeHtml(JSON.stringify(value, null, 2))}</code></pre>`;

function routeSection(route: ApiRoute): string {
  const document = openApiDocument() as { paths: Record<string, Record<string, { responses: object }>> };
  const responses = document.paths[openApiPath(route.path)]?.[route.method]?.responses ?? {};
  const id = `${route.method}-${openApiPath(route.path).replace(/[^A-Za-z0-9]+/g, '-')}`;
  const params = Object.entries(route.params ?? {});
  return [
    `<section class="route" id="${id}" aria-labelledby="${id}-h">`,
    `<h3 id="${id}-h"><span class="method">${route.method.toUpperCase()}</span> <code>${prose(openApiPath(route.path))}</code></h3>`,
    `<p>${prose(route.summary)}${route.public ? ' <span class="badge">no token</span>' : ''}</p>`,
    route.description ? `<p>${prose(route.description)}</p>` : '',
    params.length > 0
      ? `<h4>Path parameters</h4><dl>${params
          .map(
            ([name, p]) =>
              `<dt><code>${prose(name)}</code></dt><dd>${prose(p.description)}; e.g. <code>${prose(p.example)}</code>${code(jsonSchema(p.schema, 'input'))}</dd>`,
          )
          .join('')}</dl>`
      : '',
    route.body
      ? `<h4>Request body <small>(JSON, at most ${route.body.maxBytes} bytes)</small></h4>` +
        `<details><summary>Schema</summary>${code(jsonSchema(route.body.schema, 'input'))}</details>` +
        `<p>Example:</p>${code(route.body.example)}`
      : '',
    '<h4>Responses</h4><dl>',
    ...Object.entries(
      responses as Record<string, { description: string; content?: Record<string, { schema?: object }> }>,
    ).map(([status, response]) => {
      const schema = Object.values(response.content ?? {})[0]?.schema;
      const detail =
        schema && !('$ref' in schema) ? `<details><summary>Schema</summary>${code(schema)}</details>` : '';
      return `<dt>${status}</dt><dd>${prose(response.description)}${detail}</dd>`;
    }),
    '</dl></section>',
  ].join('');
}

function page(): string {
  const doc = openApiDocument() as {
    info: { title: string; description: string };
    tags: Array<{ name: string; description: string }>;
  };
  const tags = doc.tags.filter((tag) => API_ROUTES.some((route) => route.tag === tag.name));
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${prose(doc.info.title)}</title><link rel="stylesheet" href="/api/v1/docs.css"></head><body>`,
    `<header><h1>${prose(doc.info.title)}</h1><p>${prose(doc.info.description)}</p>`,
    '<p>Authentication: <code>Authorization: Bearer &lt;school token&gt;</code> on every route without the ',
    '“no token” mark. Refusals are JSON <code>{"error": "…", "problems": […]}</code>. ',
    'The machine-readable document: <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.1).</p>',
    '<nav aria-label="Routes"><ul>',
    ...API_ROUTES.map((route) => {
      const id = `${route.method}-${openApiPath(route.path).replace(/[^A-Za-z0-9]+/g, '-')}`;
      return `<li><a href="#${id}"><span class="method">${route.method.toUpperCase()}</span> ${prose(openApiPath(route.path))}</a></li>`;
    }),
    '</ul></nav></header><main>',
    ...tags.map(
      (tag) =>
        `<h2>${prose(tag.name)}</h2><p>${prose(tag.description)}</p>` +
        API_ROUTES.filter((route) => route.tag === tag.name)
          .map(routeSection)
          .join(''),
    ),
    '</main></body></html>',
  ].join('');
}

const CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1b1b1b;background:#fff}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f4f4f4;padding:.5rem;overflow-x:auto}
.route{border-top:1px solid #ccc;padding:.5rem 0}.method{font-weight:700;color:#0b4f9c}
.badge{background:#e6f0e6;color:#1d5a1d;padding:0 .4rem;border-radius:.3rem;font-size:.85em}
nav ul{columns:2;padding-left:1rem}a{color:#0b4f9c}dt{font-weight:700}dd{margin:0 0 .5rem 1rem}
@media (max-width:40rem){nav ul{columns:1}}
`;

export function apiReferenceRoutes(): Hono<HttpEnv> {
  const routes = new Hono<HttpEnv>();
  // Made once, on the first request.
  let document: string | undefined;
  let reference: string | undefined;
  routes.get('/api/v1/openapi.json', (c) => {
    document ??= JSON.stringify(openApiDocument());
    return c.body(document, 200, { 'content-type': JSON_TYPE });
  });
  routes.get('/api/v1/docs', (c) => {
    reference ??= page();
    return c.body(reference, 200, { 'content-type': 'text/html; charset=utf-8' });
  });
  routes.get('/api/v1/docs.css', (c) => c.body(CSS, 200, { 'content-type': 'text/css; charset=utf-8' }));
  return routes;
}
