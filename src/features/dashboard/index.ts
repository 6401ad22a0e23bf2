/**
 * The web dashboard's use cases (issue 19): passwordless sign-in for moderators (`/dashboard`) and school
 * administrators (the API token, or a CLI link), and the queries behind its pages. The pages themselves
 * are in src/http/dashboard/.
 */
export {
  issueLink,
  LINK_TTL_MS,
  type LinkState,
  linkState,
  linkUrl,
  moderatedChats,
  type NewSession,
  pruneDashboardSessions,
  redeemLink,
  SESSION_TTL_MS,
  signInWithSchoolToken,
  signOut,
  type Viewer,
  viewerOf,
} from './access.js';
export { failedActions, type RetryResult, retryAction } from './actions.js';
export {
  AUDIT_PAGE_SIZE,
  type AuditProblem,
  type AuditQuery,
  auditActions,
  auditFilter,
  auditForCsv,
  auditPage,
} from './audit.js';
export { chatPage } from './chat.js';
export { dashboardCommand } from './command.js';
export { csvCell, csvLine } from './csv.js';
export { CHART_WEEKS, type OverviewChat, overview, type WeeklySeries, weeklySeries } from './overview.js';
export { rosterPage } from './roster.js';
