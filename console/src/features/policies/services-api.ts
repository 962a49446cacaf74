import { useQuery } from '@tanstack/react-query';
import { api } from '../../app/api-client';

// The app and service catalogue (blocklists/services), as the API lists it: each service
// with its names in both languages and its group, for the toggle grid.

export interface ServiceGroup { id: string; names: { vi: string; en: string } }
export interface Service { id: string; group: string; names: { vi: string; en: string } }
export interface ServiceCatalog { groups: ServiceGroup[]; services: Service[] }

export function useServices() {
  return useQuery({ queryKey: ['services'], queryFn: () => api.get<ServiceCatalog>('/api/services'), staleTime: 5 * 60_000, retry: false });
}
