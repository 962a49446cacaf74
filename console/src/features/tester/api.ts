import { useMutation } from '@tanstack/react-query';
import type { DecisionReason } from '../../../../resolver/src/policy/policy-types';
import { api } from '../../app/api-client';

export type Explanation = DecisionReason & { name?: string };

export function useExplain() {
  return useMutation({ mutationFn: (q: { network: number; name: string }) => api.get<Explanation>('/api/explain', q) });
}
