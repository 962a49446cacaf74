import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NetworkConfig } from '../../../../resolver/src/config/config-schema';
import { api } from '../../app/api-client';
import type { Origin } from '../policies/api';

export type NetworkKind = NonNullable<NetworkConfig['kind']>;
export type NetworkBody = Omit<NetworkConfig, 'doh_token' | 'token'>;
export interface Network extends NetworkBody {
  id: number;
  managed: Origin;
  policy_id?: number;
  token?: string | null;
  /** where phones and browsers send DNS over HTTPS for this network */
  doh_url?: string | null;
  /** the DNS-over-TLS name (Android "Private DNS"), when TLS is configured */
  dot_hostname?: string | null;
}

export const NETWORKS_KEY = ['networks'] as const;

export function useNetworks() {
  return useQuery({ queryKey: NETWORKS_KEY, queryFn: () => api.get<Network[]>('/api/networks') });
}

export function useNetwork(id: number) {
  return useQuery({ queryKey: [...NETWORKS_KEY, id], queryFn: () => api.get<Network>(`/api/networks/${id}`), enabled: Number.isFinite(id) });
}

export function useSaveNetwork(id: number | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NetworkBody) => (id === null ? api.post<Network>('/api/networks', body) : api.patch<Network>(`/api/networks/${id}`, body)),
    onSuccess: () => qc.invalidateQueries({ queryKey: NETWORKS_KEY }),
  });
}

export function useDeleteNetwork() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/api/networks/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: NETWORKS_KEY }),
  });
}
