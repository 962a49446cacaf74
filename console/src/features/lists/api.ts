import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api-client';

export type SourceFormat = 'auto' | 'hosts' | 'domains' | 'adblock' | 'dnsmasq' | 'rpz' | 'regex';

export interface ListSource {
  id: number;
  name: string;
  category: string;
  source: string;
  format: SourceFormat;
  enabled: boolean;
  managed: 'config' | 'bundled' | 'api';
  live?: boolean;
  last_success_at: string | null;
  last_error: string | null;
  entries: number;
  invalid: number;
  next_refresh_at?: string | null;
}

export interface CatalogSource { name: string; category: string; url: string; format: SourceFormat; license?: string; homepage?: string; description?: string; enabled?: boolean }

export interface RefreshProgress { running: boolean; done: number; total: number; current?: string | null }

const KEY = ['lists'] as const;

export function useLists() {
  return useQuery({ queryKey: KEY, queryFn: () => api.get<ListSource[]>('/api/lists') });
}

export function useCatalog() {
  return useQuery({ queryKey: [...KEY, 'catalog'], queryFn: () => api.get<CatalogSource[]>('/api/lists/catalog') });
}

/** Polled quickly only while a refresh runs. */
export function useRefreshProgress(active: boolean) {
  return useQuery({
    queryKey: [...KEY, 'refresh'],
    queryFn: () => api.get<RefreshProgress>('/api/lists/refresh'),
    refetchInterval: (q) => (active || q.state.data?.running ? 500 : false),
  });
}

function useListMutation<T>(fn: (v: T) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSettled: () => qc.invalidateQueries({ queryKey: KEY }) });
}

export const useAddSource = () => useListMutation((b: { name: string; category: string; source: string; format: SourceFormat }) => api.post('/api/lists', b));
export const useEnableCatalog = () => useListMutation((name: string) => api.post('/api/lists/catalog/enable', { name }));
export const useSetEnabled = () => useListMutation((v: { id: number; enabled: boolean }) => api.patch(`/api/lists/${v.id}`, { enabled: v.enabled }));
export const useRefreshNow = () => useListMutation((id: number | null) => api.post(id === null ? '/api/lists/refresh' : `/api/lists/${id}/refresh`));
