import { api } from '../../app/api-client';
import type { Session } from '../../app/session';

export function login(username: string, password: string): Promise<Session> {
  return api.post<Session>('/api/session', { username, password });
}
