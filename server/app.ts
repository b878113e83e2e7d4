/** The HTTP app: thin feature routers over an injected context. index.ts wires it to a port. */
import express, { type Express } from 'express';
import type { AppContext } from './context.ts';
import { authenticate } from './http/auth.ts';
import { errorHandler, notFound } from './http/errors.ts';
import { sameOriginWrites, securityHeaders, utf8Json, wellFormedPath } from './http/hardening.ts';
import { fixedHeaders, headerBlock, hotRoutes } from './http/hot-routes.ts';
import { adminPagesRouter } from './portal/admin/pages.ts';
import { portalPagesRouter } from './portal/pages.ts';
import { portalMerchantRouter } from './routes/portal-merchant.ts';
import { portalUnionRouter } from './routes/portal-union.ts';
import { statementsRouter } from './routes/statements.ts';
import { adminRouter } from './routes/admin.ts';
import { adminAgreementsRouter } from './routes/admin-agreements.ts';
import { adminAuditTrailRouter } from './routes/admin-audit-trail.ts';
import { adminCardsRouter } from './routes/admin-cards.ts';
import { adminMembersRouter } from './routes/admin-members.ts';
import { adminMerchantsRouter } from './routes/admin-merchants.ts';
import { adminUsersRouter } from './routes/admin-users.ts';
import { auditRouter } from './routes/audit.ts';
import { healthRouter } from './routes/health.ts';
import { postQuote, quotesRouter } from './routes/quotes.ts';
import { postRedemption, redemptionsRouter } from './routes/redemptions.ts';
import { reportsRouter } from './routes/reports.ts';
import { sessionRouter } from './routes/session.ts';
import { terminalsRouter } from './routes/terminals.ts';
import { terminalSyncRouter } from './routes/terminal-sync.ts';
import { receiptCheckRouter } from './routes/receipt-check.ts';
import { memberRouter } from './routes/member.ts';
import { memberFeedbackRouter } from './routes/member-feedback.ts';
import { memberAdminRouter } from './routes/member-admin.ts';
import { memberPagesRouter } from './portal/member/pages.ts';
import { openApiRouter } from './routes/openapi.ts';
import { unknownRouteIs404 } from './http/route-exists.ts';
import { apiDocsPagesRouter } from './portal/api-docs/pages.ts';

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // helmet's headers worked out once (they do not depend on the request), then set from the block.
  const headers = headerBlock(securityHeaders({ https: !!ctx.secureCookies }));
  // The till's two calls in their everyday form, answered in one layer (server/http/hot-routes.ts, issue 13).
  app.use(hotRoutes(ctx, headers));
  // Timing wraps everything, refusals included; /metrics is for the scraper (docs/DEPLOY.md keeps it off the public proxy).
  if (ctx.metrics) {
    app.use(ctx.metrics.middleware());
    app.get('/metrics', ctx.metrics.handler());
  }
  // Hardening first (server/http/hardening.ts): headers on every answer, malformed paths and charsets refused before parsing.
  app.use(fixedHeaders(headers));
  app.use(wellFormedPath);
  app.use(utf8Json);
  app.use(express.json({ limit: '64kb' }));
  app.use(sameOriginWrites);
  // The till's two calls go first (issue 13): without walking the API router's other routes and its route-exists check.
  const terminalAuth = authenticate(ctx);
  app.post('/api/v1/quotes', terminalAuth, postQuote(ctx));
  app.post('/api/v1/redemptions', terminalAuth, postRedemption(ctx));

  const api = express.Router();
  // Open routes first.
  api.use(healthRouter(ctx));
  api.use(sessionRouter(ctx));
  api.use(terminalsRouter(ctx));
  // The member page's API checks member tokens itself.
  api.use(memberRouter(ctx));
  api.use(openApiRouter());
  api.use(unknownRouteIs404(api));
  // Everything below needs a terminal token or a portal session.
  api.use(authenticate(ctx));
  api.use(quotesRouter(ctx));
  api.use(terminalSyncRouter(ctx));
  api.use(redemptionsRouter(ctx));
  api.use(reportsRouter(ctx));
  api.use(auditRouter(ctx));
  api.use(adminRouter(ctx));
  api.use(portalMerchantRouter(ctx));
  api.use(portalUnionRouter(ctx));
  api.use(statementsRouter(ctx));
  api.use(adminMembersRouter(ctx));
  api.use(adminCardsRouter(ctx));
  api.use(adminAuditTrailRouter(ctx));
  api.use(adminAgreementsRouter(ctx));
  api.use(adminMerchantsRouter(ctx));
  api.use(adminUsersRouter(ctx));
  api.use(memberFeedbackRouter(ctx));
  api.use(memberAdminRouter(ctx));
  app.use('/api/v1', api);
  app.use(portalPagesRouter());
  app.use(adminPagesRouter());
  app.use(memberPagesRouter());
  app.use(apiDocsPagesRouter());
  app.use(receiptCheckRouter(ctx));

  app.get('/', (_req, res) => {
    res.type('text/plain; charset=utf-8').send('Huika server. API under /api/v1 (see README). Health: /api/v1/health\n');
  });
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}
