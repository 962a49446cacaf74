import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AcceptBodyT, ReportPageT, ReportT } from '../../../../resolver/src/api/schemas/reports';
import { api } from '../../app/api-client';

export type Report = ReportT;
export type ReportStatus = ReportT['status'];

const KEY = ['reports'] as const;

export function useReports(status: ReportStatus | 'all') {
  return useQuery({
    queryKey: [...KEY, status],
    queryFn: () => api.get<ReportPageT>('/api/reports', { status: status === 'all' ? undefined : status, limit: 200 }).then((p) => p.reports),
  });
}

export function useDecideReport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (d: { id: number; accept: boolean; policy?: number }) =>
      d.accept ? api.post(`/api/reports/${d.id}/accept`, { policy: d.policy! } satisfies AcceptBodyT) : api.post(`/api/reports/${d.id}/reject`),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}
