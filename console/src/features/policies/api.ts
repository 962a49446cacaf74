import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PolicyBodyT, PolicyT, PolicyUpdateBodyT } from '../../../../resolver/src/api/schemas/policies';
import type { ManagedT } from '../../../../resolver/src/api/schemas/common';
import { api } from '../../app/api-client';

// Policies travel in the configuration file's shape (the API and the file share one model),
// plus the stored id and where the policy was declared. App toggles (`services`) exist where
// the server has the app catalogue; they are sent only to a server that returned them.

export type Origin = ManagedT;
type WithServices<T> = T & { services?: string[] };
export type Schedule = WithServices<NonNullable<PolicyBodyT['schedules']>[number]>;
export type PolicyBody = WithServices<Omit<PolicyBodyT, 'schedules'>> & { schedules?: Schedule[] };
export type Policy = WithServices<Omit<PolicyT, 'schedules'>> & { schedules: Array<Schedule & { id?: number }> };

export const POLICIES_KEY = ['policies'] as const;

export function usePolicies() {
  return useQuery({ queryKey: POLICIES_KEY, queryFn: () => api.get<Policy[]>('/api/policies') });
}

export function usePolicy(id: number) {
  return useQuery({ queryKey: [...POLICIES_KEY, id], queryFn: () => api.get<Policy>(`/api/policies/${id}`), enabled: Number.isFinite(id) });
}

export function useCreatePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyBody) => api.post<Policy>('/api/policies', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: POLICIES_KEY }),
  });
}

export function useSavePolicy(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyBody & PolicyUpdateBodyT) => api.patch<Policy>(`/api/policies/${id}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: POLICIES_KEY }),
  });
}

export function useDeletePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/api/policies/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: POLICIES_KEY }),
  });
}

/** The body the API takes: what a policy is, without what the store adds. */
export function policyBody(p: Policy): PolicyBody {
  const { id: _id, managed: _m, networks: _n, warnings: _w, created_at: _c, updated_at: _u, schedules, ...rest } = p;
  return { ...rest, schedules: schedules.map(({ id: _sid, ...s }) => s) };
}
