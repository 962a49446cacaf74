import { useQuery } from '@tanstack/react-query';
import type { BlockedView, CounterView, Granularity } from '../../../../resolver/src/stats/stats-query';
import { api } from '../../app/api-client';

export interface StatsFilter { from: string; to: string; granularity: Granularity; network: string | null }

function params(f: StatsFilter) {
  return { from: f.from, to: f.to, granularity: f.granularity, network: f.network ?? undefined };
}

/** Blocked queries per category and time bucket, small cells already suppressed by the server. */
export function useBlockedStats(f: StatsFilter) {
  return useQuery({ queryKey: ['stats', 'blocked', f], queryFn: () => api.get<BlockedView>('/api/stats/blocked', { ...params(f), by: 'category' }) });
}

/** Query, cache-hit and other counters over the same buckets. */
export function useCounterStats(f: StatsFilter) {
  return useQuery({ queryKey: ['stats', 'counters', f], queryFn: () => api.get<CounterView>('/api/stats/counters', params(f)) });
}
