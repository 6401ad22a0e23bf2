import { randomBytes } from 'node:crypto';
import { createAuditRepository } from '../../db/repos/audit.js';
import { erasePersonalData } from '../../db/repos/erasure.js';
import {
  type ActRow,
  createPersonalDataRepository,
  type DestroyedCategory,
} from '../../db/repos/personal-data.js';
import type { Services } from '../../runtime/services.js';
import { findSubject, hashedRosterId, type SubjectRef, subjectKey } from './subject.js';

export type EraseOutcome =
  | { result: 'erased'; act: ActRow }
  | { result: 'already'; act: ActRow }
  | { result: 'not_found' };

/** Records as counts, largest categories first in the order the act lists them. */
function categories(bag: Record<string, number>): DestroyedCategory[] {
  return Object.entries(bag).map(([category, count]) => ({ category, count }));
}

/**
 * Destroys everything stored about a person (152-ФЗ art. 21) and writes the act: the categories and
 * counts, when, on whose request, with the extract of the audit log. A person under an active block keeps
 * the block (no names) until it is lifted; accounts a removal must keep out stay as platform ids. A repeated
 * request answers with the first act.
 */
export async function erasePerson(
  services: Services,
  request: { schoolId: number; ref: SubjectRef; reason: string; requestedBy: string },
): Promise<EraseOutcome> {
  const key = services.personalData.key;
  const subjectHash = subjectKey(key, request.schoolId, request.ref);
  const outcome = await services.transact(async (work): Promise<EraseOutcome> => {
    const repo = createPersonalDataRepository(work.tx);
    const first = await repo.actBySubject(request.schoolId, request.ref.kind, subjectHash);
    if (first) return { result: 'already', act: first };
    const subject = await findSubject(work.tx, request.schoolId, request.ref);
    if (!subject) return { result: 'not_found' };
    const accounts = await repo.rowsOf('accounts', ['id'], subject.accountIds);
    const names = [
      subject.person?.name,
      ...accounts.flatMap((a) => [
        [a.first_name, a.last_name].filter(Boolean).join(' '),
        a.first_name,
        a.last_name,
        a.username,
      ]),
    ].filter((name): name is string => typeof name === 'string' && name.trim().length > 0);
    const person = subject.person;
    const counts = await erasePersonalData(work.tx, {
      schoolId: request.schoolId,
      personIds: person ? [person.id] : [],
      personHashes: new Map(
        person ? [[person.id, hashedRosterId(key, request.schoolId, person.kind, person.externalId)]] : [],
      ),
      externalIds: person ? [person.externalId] : [],
      accountIds: subject.accountIds,
      platformIds: accounts.map((a) => String(a.platform_user_id)),
      names: [...new Set(names)],
      now: work.now,
      pseudonym: () => `erased:${randomBytes(12).toString('hex')}`,
    });
    const extract = await repo.logExtract(subject.accountIds);
    const act = await repo.insertAct({
      schoolId: request.schoolId,
      subjectKind: request.ref.kind,
      subjectKey: subjectHash,
      requestedBy: request.requestedBy,
      reason: request.reason,
      at: work.now,
      categories: categories(counts.destroyed),
      logExtract: extract,
      kept: categories(counts.kept),
    });
    await createAuditRepository(work.tx).append({
      at: work.now,
      schoolId: request.schoolId,
      actorKind: 'roster',
      action: 'personal_data_erased',
      details: { actId: act.id, subject: request.ref.kind },
    });
    return { result: 'erased', act };
  });
  if (outcome.result === 'erased') {
    // The caches hold account ids by platform id and names' fingerprints: let them be read afresh.
    services.accounts.clear();
    services.presentMembers.clear();
    services.admins.clear();
    services.chats.clear();
  }
  return outcome;
}
