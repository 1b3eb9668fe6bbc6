/**
 * The one error @anneal/dashboard throws: a bad option (a host it will not bind without
 * `allowRemote`, a port out of range) or a folder it cannot serve. `code` is stable for programs
 * to match; the message says what was wrong and what to do.
 *
 * @example
 * ```ts
 * try { await startDashboard({ host: '0.0.0.0' }); }
 * catch (e) { if (e instanceof DashboardError && e.code === 'DASHBOARD_REMOTE') console.error(e.message); }
 * ```
 */
export class DashboardError extends Error {
  constructor(
    /** `DASHBOARD_REMOTE` (non-loopback host without allowRemote), `DASHBOARD_OPTION` (bad option), `DASHBOARD_DIR` (folder missing). */
    readonly code: 'DASHBOARD_REMOTE' | 'DASHBOARD_OPTION' | 'DASHBOARD_DIR',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
