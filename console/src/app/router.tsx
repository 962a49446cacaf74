import { createBrowserRouter } from 'react-router';
import { RequireSession } from './require-session';
import { RouteError } from './route-error';
import { Shell } from './shell';

// Every feature page loads on first visit, so the login and public report pages a phone
// opens first stay small. The public report page needs no login.

export const router = createBrowserRouter([
  { path: '/login', lazy: async () => ({ Component: (await import('../features/auth/components/login-page')).LoginPage }) },
  { path: '/report', lazy: async () => ({ Component: (await import('../features/public-report/components/public-report-page')).PublicReportPage }) },
  {
    path: '/',
    element: (
      <RequireSession>
        <Shell />
      </RequireSession>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, lazy: async () => ({ Component: (await import('../features/dashboard/components/dashboard-page')).DashboardPage }) },
      { path: 'networks', lazy: async () => ({ Component: (await import('../features/networks/components/networks-page')).NetworksPage }) },
      { path: 'networks/:id', lazy: async () => ({ Component: (await import('../features/networks/components/network-edit-page')).NetworkEditPage }) },
      { path: 'policies', lazy: async () => ({ Component: (await import('../features/policies/components/policies-page')).PoliciesPage }) },
      { path: 'policies/:id', lazy: async () => ({ Component: (await import('../features/policies/components/policy-edit-page')).PolicyEditPage }) },
      { path: 'lists', lazy: async () => ({ Component: (await import('../features/lists/components/lists-page')).ListsPage }) },
      { path: 'tester', lazy: async () => ({ Component: (await import('../features/tester/components/tester-page')).TesterPage }) },
      { path: 'reports', lazy: async () => ({ Component: (await import('../features/reports/components/reports-page')).ReportsPage }) },
      { path: 'export', lazy: async () => ({ Component: (await import('../features/export/components/export-page')).ExportPage }) },
      { path: 'audit', lazy: async () => ({ Component: (await import('../features/audit/components/audit-page')).AuditPage }) },
      { path: 'admins', lazy: async () => ({ Component: (await import('../features/admins/components/admins-page')).AdminsPage }) },
      { path: 'settings', lazy: async () => ({ Component: (await import('../features/settings/components/settings-page')).SettingsPage }) },
      { path: '*', lazy: async () => ({ Component: (await import('./not-found-page')).NotFoundPage }) },
    ],
  },
]);
