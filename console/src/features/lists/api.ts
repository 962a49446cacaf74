import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CatalogEntryT, ListCreateBodyT, ListSourceT, RefreshJobT } from '../../../../resolver/src/api/schemas/lists';
import { api } from '../../app/api-client';

export type ListSource = ListSourceT;
export type SourceFormat = ListSourceT['format'];
export type CatalogSource = CatalogEntryT;
export type RefreshJob = RefreshJobT;

const KEY = ['lists'] as const;

export function useLists() {
  return useQuery({ queryKey: KEY, queryFn: () => api.get<ListSource[]>('/api/lists') });
}

export function useCatalog() {
  return useQuery({ queryKey: [...KEY, 'catalog'], queryFn: () => api.get<CatalogSource[]>('/api/lists/catalog') });
}

/** A refresh job, polled twice a second until it is done. */
export function useRefreshJob(job: number | null) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: [...KEY, 'job', job],
    enabled: job !== null,
    queryFn: async () => {
      const j = await api.get<RefreshJob>(`/api/lists/refresh/${job}`);
      if (j.state !== 'running') void qc.invalidateQueries({ queryKey: KEY, exact: true });
      return j;
    },
    refetchInterval: (q) => (q.state.data?.state === 'running' || !q.state.data ? 500 : false),
  });
}

function useListMutation<T, R = unknown>(fn: (v: T) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSettled: () => qc.invalidateQueries({ queryKey: KEY }) });
}

export const useAddSource = () => useListMutation((b: ListCreateBodyT) => api.post('/api/lists', b));
export const useEnableCatalog = () => useListMutation((name: string) => api.post(`/api/lists/catalog/${encodeURIComponent(name)}`));
export const useSetEnabled = () => useListMutation((v: { id: number; enabled: boolean }) => api.patch(`/api/lists/${v.id}`, { enabled: v.enabled }));
export const useRefreshNow = () => useListMutation((id: number | null) => api.post<RefreshJob>('/api/lists/refresh', id === null ? {} : { source: id }));
