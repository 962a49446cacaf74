import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../app/api-client';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  target_type: string;
  target: string | null;
  before: unknown;
  after: unknown;
}
export interface AuditPage { items: AuditEntry[]; total: number }

export function useAudit(f: { limit: number; offset: number; actor?: string; target_type?: string }) {
  return useQuery({ queryKey: ['audit', f], queryFn: () => api.get<AuditPage>('/api/audit', f), placeholderData: keepPreviousData });
}
