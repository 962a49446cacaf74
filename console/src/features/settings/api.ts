import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Config } from '../../../../resolver/src/config/config-schema';
import { api } from '../../app/api-client';

export interface Settings { upstreams: Config['upstreams']; cache: Config['cache'] }

export function useSettings() {
  return useQuery({ queryKey: ['settings'], queryFn: () => api.get<Settings>('/api/settings') });
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (s: Partial<Settings>) => api.patch<Settings>('/api/settings', s), onSuccess: () => qc.invalidateQueries({ queryKey: ['settings'] }) });
}
