import { useQuery } from '@tanstack/react-query';
import type { ServiceCatalogBodyT } from '../../../../resolver/src/api/schemas/services';
import { api } from '../../app/api-client';

// The app and service catalogue (blocklists/services), as the API lists it: each service
// with its names in both languages and its group, for the toggle grid.

export type ServiceCatalog = ServiceCatalogBodyT;
export type Service = ServiceCatalogBodyT['services'][number];

export function useServices() {
  return useQuery({ queryKey: ['services'], queryFn: () => api.get<ServiceCatalog>('/api/services'), staleTime: 5 * 60_000, retry: false });
}
