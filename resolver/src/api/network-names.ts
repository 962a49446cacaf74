import type { Db } from '../store/database.js';
import { loadNetworks } from '../store/network-repository.js';

/** id -> name of every network, for showing assignments by name. */
export function networkNameMap(db: Db): Map<number, string> {
  return new Map(loadNetworks(db).map((n) => [n.id, n.name]));
}
