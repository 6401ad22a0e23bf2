import type { Executor } from '../../db/client.js';
import { createPersonalDataRepository } from '../../db/repos/personal-data.js';
import { hashedRosterId } from './subject.js';

/** The roster ids an event names, with their kinds. */
function idsOf(event: object): Array<[string, string]> {
  const e = event as { studentId?: string; guardianId?: string; staffId?: string };
  const ids: Array<[string, string]> = [];
  if (e.studentId) ids.push(['student', e.studentId]);
  if (e.guardianId) ids.push(['guardian', e.guardianId]);
  if (e.staffId) ids.push(['staff', e.staffId]);
  return ids;
}

/**
 * Before roster events apply: a person kept only as a keyed hash (departed past the retention period, or
 * erased) whom an event names again gets their roster id back, so a re-enrolment finds their removals.
 */
export async function restoreHashedRosterIds(
  ex: Executor,
  key: string,
  schoolId: number,
  events: readonly object[],
): Promise<void> {
  const repo = createPersonalDataRepository(ex);
  const seen = new Set<string>();
  for (const event of events) {
    for (const [kind, id] of idsOf(event)) {
      if (seen.has(`${kind}:${id}`)) continue;
      seen.add(`${kind}:${id}`);
      await repo.restoreRosterId(schoolId, kind, hashedRosterId(key, schoolId, kind, id), id);
    }
  }
}
