import { z } from 'zod';
import { API_ROUTES, type ApiRoute } from './api-doc.js';
import { Problem } from './api-schemas.js';

/**
 * The OpenAPI 3.1 document of the school API, made from the route list in api-doc.ts: each schema is
 * the zod schema's JSON Schema (`z.toJSONSchema`, draft 2020-12, OpenAPI 3.1's dialect).
 */

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect): what a request may send, or an answer holds. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
  return rest;
}

/** `/api/v1/acts/:id` → `/api/v1/acts/{id}` */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

const problemRef = { $ref: '#/components/schemas/Problem' };
const refusal = (description: string) => ({
  description,
  content: { 'application/json': { schema: problemRef } },
});

function responses(route: ApiRoute): Record<string, unknown> {
  const { ok } = route;
  const success = {
    description: ok.description,
    content: {
      [ok.contentType ?? 'application/json']: ok.schema ? { schema: jsonSchema(ok.schema, 'output') } : {},
    },
  };
  const out: Record<string, unknown> = { [ok.status]: success };
  const bad = [
    route.refusals?.[400],
    route.body ? 'the body is not JSON or does not match the schema; nothing changed' : undefined,
  ];
  if (bad.some(Boolean)) out[400] = refusal(bad.filter(Boolean).join('; or '));
  if (!route.public) out[401] = refusal('no valid school token (`Authorization: Bearer <token>`)');
  if (route.refusals?.[404]) out[404] = refusal(route.refusals[404]);
  if (route.body) {
    out[413] = refusal(`the body is larger than ${route.body.maxBytes} bytes`);
    out[415] = refusal('the body is not declared as `Content-Type: application/json`');
    out[503] = refusal(
      'the server is reading too many bodies at once; try again after `Retry-After` seconds',
    );
  }
  return out;
}

function operation(route: ApiRoute): Record<string, unknown> {
  const parameters = Object.entries(route.params ?? {}).map(([name, param]) => ({
    name,
    in: 'path',
    required: true,
    description: param.description,
    schema: jsonSchema(param.schema, 'input'),
    example: param.example,
  }));
  return {
    operationId: `${route.method}${openApiPath(route.path)
      .replace('/api/v1', '')
      .replace(/[^A-Za-z]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.public ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: jsonSchema(route.body.schema, 'input'),
                example: route.body.example,
              },
            },
          },
        }
      : {}),
    responses: responses(route),
  };
}

let built: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of the school API, built once. */
export function openApiDocument(): Record<string, unknown> {
  if (built) return built;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  built = {
    openapi: '3.1.1',
    info: {
      title: 'class-chat-moderator: the school API',
      version: '1',
      description:
        "The school's roster, statistics, invitations, chats' requests to join, and personal data. Every " +
        "request carries the school's token (`npm run cli -- token create <school>`); a token reaches only " +
        "its own school's data. Bodies are JSON; a refused request changes nothing.",
    },
    servers: [{ url: '/' }],
    security: [{ schoolToken: [] }],
    tags: [
      { name: 'Roster', description: "The school's roster (regulation 4.13.8) and invitations" },
      { name: 'School', description: 'Statistics and the chats of the school' },
      {
        name: 'Personal data',
        description: 'Export, erasure, acts, retention and the privacy notice (152-ФЗ)',
      },
      { name: 'Reference', description: 'This document' },
    ],
    paths,
    components: {
      securitySchemes: {
        schoolToken: { type: 'http', scheme: 'bearer', description: "The school's API token" },
      },
      schemas: { Problem: jsonSchema(Problem, 'output') },
    },
  };
  return built;
}
