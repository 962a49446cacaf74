import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../app/api-client';
import type { AdminCreateBodyT, AdminT, AdminUpdateBodyT } from '../../../../resolver/src/api/schemas/admins';

export type Admin = AdminT;
export type AdminCreate = AdminCreateBodyT & { networks: string[] };

const KEY = ['admins'] as const;

export function useAdmins() {
  return useQuery({ queryKey: KEY, queryFn: () => api.get<Admin[]>('/api/admins') });
}

function useAdminMutation<T>(fn: (v: T) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: KEY }) });
}

export const useCreateAdmin = () => useAdminMutation((b: AdminCreate) => api.post<Admin>('/api/admins', b));
export const useUpdateAdmin = () => useAdminMutation((v: AdminUpdateBodyT & { id: number }) => {
  const { id, ...body } = v;
  return api.patch<Admin>(`/api/admins/${id}`, body);
});
export const useDeleteAdmin = () => useAdminMutation((id: number) => api.delete(`/api/admins/${id}`));
