import { createBrowserRouter } from 'react-router';
import { RequireSession } from './require-session';
import { Shell } from './shell';
import { RouteError } from './route-error';

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
      { path: '*', lazy: async () => ({ Component: (await import('./not-found-page')).NotFoundPage }) },
    ],
  },
]);
