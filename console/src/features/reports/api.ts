import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api-client';
import type { ReportKind } from '../public-report/api';

export type ReportStatus = 'open' | 'accepted' | 'rejected';
export interface Report {
  id: number;
  domain: string;
  kind: ReportKind;
  message: string | null;
  status: ReportStatus;
  created_at: string;
  /** the policy it was accepted into */
  policy?: string | null;
  decided_by?: string | null;
  decided_at?: string | null;
}

const KEY = ['reports'] as const;

export function useReports(status: ReportStatus | 'all') {
  return useQuery({ queryKey: [...KEY, status], queryFn: () => api.get<Report[] | { items: Report[] }>('/api/reports', { status: status === 'all' ? undefined : status }).then((r) => (Array.isArray(r) ? r : r.items)) });
}

export function useDecideReport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (d: { id: number; accept: boolean; policy?: number }) =>
      d.accept ? api.post(`/api/reports/${d.id}/accept`, { policy: d.policy }) : api.post(`/api/reports/${d.id}/reject`),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}
