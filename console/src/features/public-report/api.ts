import type { ReportSubmitBodyT } from '../../../../resolver/src/api/schemas/reports';
import { api } from '../../app/api-client';

export type ReportKind = ReportSubmitBodyT['kind'];
export type NewReport = ReportSubmitBodyT;

export function submitReport(r: NewReport): Promise<unknown> {
  return api.post('/api/reports', r);
}
