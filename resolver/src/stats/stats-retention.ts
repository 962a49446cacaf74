import type { Db } from '../store/database.js';
import { rollUpStats, type RollUpResult } from '../store/stats-repository.js';
import { epochDay } from './time-buckets.js';

// Hourly detail is kept for a while, then moved into daily rows, which are kept longer;
// the oldest daily rows are deleted. Moving (not copying) keeps each count in one table.
// Whole UTC days are moved, so a daily row is never half hourly and half daily.

export interface RetentionPolicy {
  hourlyRetentionDays: number;
  dailyRetentionDays: number;
}

export type { RollUpResult };

export function rollUp(db: Db, nowMs: number, policy: RetentionPolicy): RollUpResult {
  const today = epochDay(nowMs);
  return rollUpStats(db, {
    hourlyFrom: (today - policy.hourlyRetentionDays) * 24,
    dailyFrom: today - policy.dailyRetentionDays,
    // blocked names serve list tuning, which is about recent traffic: they follow the
    // shorter, hourly retention
    domainsFrom: today - policy.hourlyRetentionDays,
  });
}
