import type { Language } from '../../config.js';
import { AUDIT_ACTIONS, type AuditAction } from '../../db/repos/audit.js';
import { type ActRow, createPersonalDataRepository } from '../../db/repos/personal-data.js';
import { when } from '../../runtime/format.js';
import type { Services } from '../../runtime/services.js';

/** The act as a document ready to print and sign (Russian by default). */
export async function renderAct(services: Services, act: ActRow, language: Language = 'ru'): Promise<string> {
  const t = services.texts.t(language);
  const school = act.schoolId
    ? await createPersonalDataRepository(services.db).school(act.schoolId)
    : undefined;
  const lines = [
    t('act.title', { id: act.id }),
    '',
    t('act.operator', { school: school?.name ?? '—' }),
    t('act.at', { at: when(services, act.at, language) }),
    t('act.requested_by', { who: act.requestedBy }),
    t('act.reason', { reason: act.reason }),
    t('act.subject', { kind: t(`act.kind.${act.subjectKind as 'student'}`), key: act.subjectKey }),
    '',
    t('act.destroyed'),
    ...(act.categories.length > 0
      ? act.categories.map((c) =>
          t('act.line', { category: t(`act.category.${c.category as 'strikes'}`), count: c.count }),
        )
      : [t('act.nothing')]),
  ];
  if (act.kept.length > 0) {
    lines.push('', t('act.kept'));
    for (const c of act.kept) {
      lines.push(t('act.line', { category: t(`act.category.${c.category as 'strikes'}`), count: c.count }));
    }
  }
  lines.push('', t('act.method'), '', t('act.extract', { count: act.logExtract.length }));
  for (const entry of act.logExtract) {
    lines.push(
      t('act.extract_line', {
        id: entry.id,
        at: when(services, new Date(entry.at), language),
        action: (AUDIT_ACTIONS as readonly string[]).includes(entry.action)
          ? t(`act.action.${entry.action as AuditAction}`)
          : t('act.action_unknown', { code: entry.action }),
        chat: entry.chatId === null ? '' : t('act.extract_chat', { chat: entry.chatId }),
      }),
    );
  }
  lines.push('', t('act.sign'));
  return lines.join('\n');
}

/** The act as JSON for the API (no names: the subject is a keyed hash). */
export function actJson(act: ActRow) {
  return {
    id: act.id,
    at: act.at.toISOString(),
    subject: { kind: act.subjectKind, key: act.subjectKey },
    requestedBy: act.requestedBy,
    reason: act.reason,
    destroyed: act.categories,
    kept: act.kept,
    logExtract: act.logExtract,
  };
}

/** An act by its id (only the school's own when a school asks). */
export async function findAct(
  services: Services,
  id: number,
  schoolId?: number,
): Promise<ActRow | undefined> {
  return createPersonalDataRepository(services.db).act(id, schoolId);
}

export async function actsOf(services: Services, schoolId: number): Promise<ActRow[]> {
  return createPersonalDataRepository(services.db).acts(schoolId);
}
