import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PolicyConfig, ScheduleConfig } from '../../../../resolver/src/config/config-schema';
import { api } from '../../app/api-client';

// Policies travel in the configuration file's shape (the API and the file share one model),
// plus the stored id and where the policy was declared.

export type Origin = 'config' | 'api';
export type Schedule = ScheduleConfig & { services?: string[] };
export type PolicyBody = Omit<PolicyConfig, 'schedules'> & { services?: string[]; schedules?: Schedule[] };
export type Policy = PolicyBody & { id: number; managed: Origin; networks?: string[]; warnings?: { field: string; message: string }[] };

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
    mutationFn: (body: PolicyBody) => api.patch<Policy>(`/api/policies/${id}`, body),
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
export function policyBody(p: Policy | PolicyBody): PolicyBody {
  const rest = { ...p } as Record<string, unknown>;
  for (const k of ['id', 'managed', 'networks', 'warnings', 'created_at', 'updated_at']) delete rest[k];
  return {
    ...rest,
    schedules: ((rest.schedules as Schedule[] | undefined) ?? []).map((s) => {
      const { id: _sid, ...sched } = s as Schedule & { id?: number };
      return sched;
    }),
  } as PolicyBody;
}
