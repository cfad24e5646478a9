import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** Where the dashboard's static files are: beside this module (src/ or, after `npm run build`, dist/). */
export const DASHBOARD_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));

/**
 * The operations dashboard: static HTML, CSS and vanilla JS (no build step) at /dashboard/,
 * talking to the ops API with the token the user logs in with (kept in sessionStorage).
 */
export function dashboardRouter(): Router {
  const router = express.Router();
  router.get('/', (_req, res) => res.redirect(302, '/dashboard/'));
  if (existsSync(DASHBOARD_DIR)) {
    router.use('/dashboard', express.static(DASHBOARD_DIR, { index: 'index.html', maxAge: 0, redirect: true }));
  }
  return router;
}
