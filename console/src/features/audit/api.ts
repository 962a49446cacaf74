import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AuditPageT, AuditQueryT } from '../../../../resolver/src/api/schemas/audit';
import { api } from '../../app/api-client';

export type AuditPage = AuditPageT;

export function useAudit(f: AuditQueryT) {
  return useQuery({ queryKey: ['audit', f], queryFn: () => api.get<AuditPage>('/api/audit', f), placeholderData: keepPreviousData });
}
