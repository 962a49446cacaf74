import { api } from '../../app/api-client';

export type ReportKind = 'harmful' | 'wrongly-blocked';
export interface NewReport { domain: string; kind: ReportKind; message?: string }

export function submitReport(r: NewReport): Promise<unknown> {
  return api.post('/api/reports', r);
}
