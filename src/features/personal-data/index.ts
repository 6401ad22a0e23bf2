/**
 * Personal data under 152-ФЗ: the inventory of every column, a person's export, erasure with an act of
 * destruction, retention per school, and the school's privacy notice (README "Personal data").
 */
export { actJson, actsOf, findAct, renderAct } from './act.js';
export { type EraseOutcome, erasePerson } from './erase.js';
export { exportData, type PersonalDataExport } from './export.js';
export { INVENTORY } from './inventory.js';
export { myDataCommand } from './mydata.js';
export { chatPrivacyNotice, privacyCommand } from './privacy.js';
export {
  EraseRequest,
  exportPerson,
  PrivacyRequest,
  privacyNotice,
  RetentionRequest,
  retentionOf,
  setPrivacyNotice,
  setRetention,
} from './requests.js';
export { personalDataJobs, RETENTION_BATCH, type RetentionReport, runRetention } from './retention.js';
export { findSubject, parseSubject, SubjectParams, type SubjectRef } from './subject.js';
