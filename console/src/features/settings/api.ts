import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SettingsBodyT, SettingsT } from '../../../../resolver/src/api/schemas/settings';
import { api } from '../../app/api-client';

export type Settings = SettingsT;

export function useSettings() {
  return useQuery({ queryKey: ['settings'], queryFn: () => api.get<Settings>('/api/settings') });
}

export function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (s: SettingsBodyT) => api.patch<Settings>('/api/settings', s), onSuccess: () => qc.invalidateQueries({ queryKey: ['settings'] }) });
}
