import type { Context, Hono, MiddlewareHandler } from 'hono';
import {
  actJson,
  actsOf,
  EraseRequest,
  erasePerson,
  exportPerson,
  findAct,
  PrivacyRequest,
  parseSubject,
  privacyNotice,
  RetentionRequest,
  renderAct,
  retentionOf,
  setPrivacyNotice,
  setRetention,
} from '../features/personal-data/index.js';
import { describeIssues } from '../features/roster/index.js';
import type { Services } from '../runtime/services.js';
import { BODY_LIMITS } from './api-doc.js';
import { NumericId } from './api-schemas.js';
import { expectJson, limitBody, readJson } from './body.js';
import { type HttpEnv, json, problem } from './context.js';

/** The school API's routes also know the school whose token the request carries (as in api.ts). */
type ApiEnv = { Bindings: HttpEnv['Bindings']; Variables: HttpEnv['Variables'] & { schoolId: number } };

const SMALL = BODY_LIMITS.small;

/**
 * The school's requests about personal data (152-ФЗ): a person's export, erasure with its act, the acts,
 * retention periods and the privacy notice. Another school's person is simply not found (404).
 */
export function personalDataRoutes(
  api: Hono<ApiEnv>,
  services: Services,
  school: MiddlewareHandler<ApiEnv>,
): void {
  const subjectOf = (c: Context<ApiEnv>) => {
    const { kind, platform, id } = c.req.param() as Record<string, string>;
    return parseSubject(platform === undefined ? [kind ?? '', id ?? ''] : ['account', platform, id ?? '']);
  };
  const notFound = (c: Context<ApiEnv>) => problem(c, 404, 'no such person in this school');

  const exportRoute = async (c: Context<ApiEnv>) => {
    const ref = subjectOf(c);
    if ('error' in ref) return problem(c, 400, ref.error);
    const data = await exportPerson(services, c.var.schoolId, ref);
    return data ? json(c, 200, data) : notFound(c);
  };
  api.get('/api/v1/people/account/:platform/:id/data', school, exportRoute);
  api.get('/api/v1/people/:kind/:id/data', school, exportRoute);

  const eraseRoute = async (c: Context<ApiEnv>) => {
    const ref = subjectOf(c);
    if ('error' in ref) return problem(c, 400, ref.error);
    const body = c.var.json;
    const parsed = EraseRequest.safeParse(body);
    if (!parsed.success) {
      return problem(c, 400, 'the request is invalid', { problems: describeIssues(parsed.error, body) });
    }
    const outcome = await erasePerson(services, {
      schoolId: c.var.schoolId,
      ref,
      reason: parsed.data.reason,
      requestedBy: parsed.data.requestedBy ?? 'школа (API)',
    });
    if (outcome.result === 'not_found') return notFound(c);
    return json(c, 200, { result: outcome.result, act: actJson(outcome.act) });
  };
  const eraseBody = [expectJson, limitBody(SMALL), readJson()] as const;
  api.post('/api/v1/people/account/:platform/:id/erase', school, ...eraseBody, eraseRoute);
  api.post('/api/v1/people/:kind/:id/erase', school, ...eraseBody, eraseRoute);

  api.get('/api/v1/acts', school, async (c) =>
    json(c, 200, { acts: (await actsOf(services, c.var.schoolId)).map(actJson) }),
  );
  api.get('/api/v1/acts/:id', school, async (c) => {
    const id = c.req.param('id');
    if (!NumericId.safeParse(id).success) return problem(c, 400, 'the act id must be a number');
    const act = await findAct(services, Number(id), c.var.schoolId);
    if (!act) return problem(c, 404, `no act ${id} for this school`);
    return json(c, 200, { ...actJson(act), text: await renderAct(services, act, 'ru') });
  });

  api.get('/api/v1/retention', school, async (c) =>
    json(c, 200, await retentionOf(services, c.var.schoolId)),
  );
  api.put('/api/v1/retention', school, expectJson, limitBody(SMALL), readJson(), async (c) => {
    const body = c.var.json;
    const parsed = RetentionRequest.safeParse(body);
    if (!parsed.success) {
      return problem(c, 400, 'the retention periods are invalid', {
        problems: describeIssues(parsed.error, body),
      });
    }
    return json(c, 200, await setRetention(services, c.var.schoolId, parsed.data));
  });

  api.get('/api/v1/privacy', school, async (c) =>
    json(c, 200, { text: await privacyNotice(services, c.var.schoolId) }),
  );
  api.put('/api/v1/privacy', school, expectJson, limitBody(SMALL), readJson(), async (c) => {
    const body = c.var.json;
    const parsed = PrivacyRequest.safeParse(body);
    if (!parsed.success) {
      return problem(c, 400, 'the notice is invalid', { problems: describeIssues(parsed.error, body) });
    }
    await setPrivacyNotice(services, c.var.schoolId, parsed.data.text);
    return json(c, 200, { text: parsed.data.text });
  });
}
