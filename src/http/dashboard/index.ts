import { Hono } from 'hono';
import type { Services } from '../../runtime/services.js';
import { assetRoutes } from './assets.js';
import { actionRoutes } from './pages-actions.js';
import { auditRoutes } from './pages-audit.js';
import { authRoutes } from './pages-auth.js';
import { chatRoutes } from './pages-chat.js';
import { overviewRoutes } from './pages-overview.js';
import { rosterRoutes } from './pages-roster.js';
import { type DashboardEnv, pagePolicy, requireViewer, withLanguage } from './session.js';

/**
 * The web dashboard (issue 19) under `/dashboard`: sign-in without passwords, then server-rendered pages
 * of the chats the viewer may see. Scripts and styles are the bot's own files (no inline code, no CDN).
 * Middleware is put on each route (not on a path pattern), so nothing here touches the bot's other routes.
 */
export function dashboardRoutes(services: Services): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  assetRoutes(app);
  for (const path of ['/dashboard', '/dashboard/*']) {
    app.use(path, withLanguage(services));
    app.use(path, pagePolicy);
  }
  authRoutes(app, services);
  const auth = requireViewer(services);
  overviewRoutes(app, services, auth);
  auditRoutes(app, services, auth);
  chatRoutes(app, services, auth);
  actionRoutes(app, services, auth);
  rosterRoutes(app, services, auth);
  return app;
}
