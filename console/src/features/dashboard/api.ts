import { useQuery } from '@tanstack/react-query';
import type { StatsBodyT, StatsQueryT } from '../../../../resolver/src/api/schemas/stats';
import { api } from '../../app/api-client';

export type StatsBody = StatsBodyT;
export interface StatsFilter { from: string; to: string; granularity: NonNullable<StatsQueryT['granularity']>; network: number | null }

/** Blocked queries per category and the query counters over one range; small cells come suppressed. */
export function useStats(f: StatsFilter) {
  const q: StatsQueryT = {
    from: new Date(`${f.from}T00:00:00`).toISOString(),
    to: new Date(`${f.to}T00:00:00`).toISOString(),
    granularity: f.granularity,
    ...(f.network !== null ? { network: [f.network] } : {}),
  };
  return useQuery({ queryKey: ['stats', q], queryFn: () => api.get<StatsBody>('/api/stats', q), staleTime: 0, refetchInterval: 30_000 });
}
