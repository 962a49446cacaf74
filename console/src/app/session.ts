import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { RoleT, SessionBodyT } from '../../../resolver/src/api/schemas/session';
import { api, ApiError, setCsrfToken } from './api-client';

// Who is logged in, asked once and kept in the query cache; 401 means "nobody", which the
// router turns into the login page. The CSRF token rides along in memory.

export type Role = RoleT;
export type Session = SessionBodyT;

export const SESSION_KEY = ['session'] as const;

export async function fetchSession(): Promise<Session | null> {
  try {
    const s = await api.get<Session>('/api/session');
    setCsrfToken(s.csrfToken);
    return s;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}

export function useSetSession() {
  const qc = useQueryClient();
  return (s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    if (s === null) qc.clear();
    qc.setQueryData(SESSION_KEY, s);
  };
}

export function useRole() {
  const { data } = useSession();
  const role = data?.user.role;
  return { role, isOwner: role === 'owner', canWrite: role === 'owner' || role === 'network-admin' };
}
