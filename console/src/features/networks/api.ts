import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NetworkCreateBodyT, NetworkT } from '../../../../resolver/src/api/schemas/networks';
import { api } from '../../app/api-client';

export type NetworkKind = NetworkT['kind'];
export type NetworkBody = NetworkCreateBodyT;
/** the DNS-over-TLS name (Android "Private DNS") comes from servers with TLS configured */
export type Network = NetworkT & { dot_hostname?: string | null };

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

export function useRotateToken(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Network>(`/api/networks/${id}/token`),
    onSuccess: () => qc.invalidateQueries({ queryKey: NETWORKS_KEY }),
  });
}
