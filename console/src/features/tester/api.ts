import { useMutation } from '@tanstack/react-query';
import type { ExplainBodyT, ExplainQueryT } from '../../../../resolver/src/api/schemas/stats';
import { api } from '../../app/api-client';

export type Explanation = ExplainBodyT;

export function useExplain() {
  return useMutation({ mutationFn: (q: ExplainQueryT) => api.get<Explanation>('/api/explain', q) });
}
