import { z } from 'zod';
import { createPersonalDataRepository } from '../../db/repos/personal-data.js';
import { isCleanText } from '../../lib/text.js';
import type { Services } from '../../runtime/services.js';
import { exportSubject, type PersonalDataExport } from './export.js';
import { findSubject, type SubjectRef } from './subject.js';

const CLEAN = { message: 'must not hold control characters or broken Unicode' };

/** An erasure request: why (the school's grounds, e.g. the person's application) and on whose request. */
export const EraseRequest = z.object({
  reason: z
    .string({ message: 'must be a string: why the data are destroyed' })
    .trim()
    .min(3, { message: 'must say why (at least 3 characters)' })
    .max(1000, { message: 'must be at most 1000 characters' })
    .refine((text) => isCleanText(text, { lineBreaks: true }), CLEAN),
  requestedBy: z
    .string({ message: 'must be a string' })
    .trim()
    .min(1)
    .max(200, { message: 'must be at most 200 characters' })
    .refine((text) => isCleanText(text), CLEAN)
    .optional(),
});

const retentionDays = z
  .number({ message: 'must be a number of days or null (the default)' })
  .int({ message: 'must be a whole number of days' })
  .min(1, { message: 'must be between 1 and 36500' })
  .max(36_500, { message: 'must be between 1 and 36500' })
  .nullable();

/** A school's retention periods; null (or left out) means the default from the configuration. */
export const RetentionRequest = z.object({
  strikeDays: retentionDays.optional(),
  departedDays: retentionDays.optional(),
  auditDays: retentionDays.optional(),
});

export const PrivacyRequest = z.object({
  text: z
    .string({ message: 'must be a string, or null to remove the notice' })
    .trim()
    .min(1)
    .max(3500, { message: 'must be at most 3500 characters (one message)' })
    .refine((text) => isCleanText(text, { lineBreaks: true }), CLEAN)
    .nullable(),
});

/** The export for the school, or undefined when the person is not the school's. */
export async function exportPerson(
  services: Services,
  schoolId: number,
  ref: SubjectRef,
): Promise<PersonalDataExport | undefined> {
  const subject = await findSubject(services.db, schoolId, ref);
  return subject ? exportSubject(services.db, subject, services.clock.now()) : undefined;
}

/** The school's retention periods as set, and what applies (the defaults where unset). */
export async function retentionOf(services: Services, schoolId: number) {
  const school = await createPersonalDataRepository(services.db).school(schoolId);
  const defaults = services.personalData;
  const set = {
    strikeDays: school?.retentionStrikeDays ?? null,
    departedDays: school?.retentionDepartedDays ?? null,
    auditDays: school?.retentionAuditDays ?? null,
  };
  return {
    set,
    effective: {
      strikeDays: set.strikeDays ?? defaults.strikeDays,
      departedDays: set.departedDays ?? defaults.departedDays,
      auditDays: set.auditDays ?? defaults.auditDays,
    },
    defaults: {
      strikeDays: defaults.strikeDays,
      departedDays: defaults.departedDays,
      auditDays: defaults.auditDays,
    },
  };
}

export async function setRetention(
  services: Services,
  schoolId: number,
  change: z.infer<typeof RetentionRequest>,
) {
  const current = (await retentionOf(services, schoolId)).set;
  await createPersonalDataRepository(services.db).setRetention(schoolId, {
    strikeDays: change.strikeDays === undefined ? current.strikeDays : change.strikeDays,
    departedDays: change.departedDays === undefined ? current.departedDays : change.departedDays,
    auditDays: change.auditDays === undefined ? current.auditDays : change.auditDays,
  });
  return retentionOf(services, schoolId);
}

export async function privacyNotice(services: Services, schoolId: number): Promise<string | null> {
  return (await createPersonalDataRepository(services.db).school(schoolId))?.privacyNotice ?? null;
}

export async function setPrivacyNotice(
  services: Services,
  schoolId: number,
  text: string | null,
): Promise<void> {
  await createPersonalDataRepository(services.db).setPrivacyNotice(schoolId, text);
  services.chats.clear();
}
