import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { blocklistsDir } from './bundled-lists.js';
import { normalizeName } from './domain-name.js';

// The services catalog (blocklists/services/*.yaml): apps such as TikTok or Roblox, each a
// set of suffix rules under its own category `service:<id>`, so a service compiles into the
// same list snapshot as the blocklists and costs no second lookup. Groups (`games`,
// `social`…) name every service in them. Re-read on every list refresh: a catalog update is
// a list refresh like any other.

export interface LocalizedName {
  en: string;
  vi: string;
}

export interface ServiceGroup {
  id: string;
  name: LocalizedName;
}

export interface Service {
  id: string;
  name: LocalizedName;
  group: string;
  /** suffix rules: the name and every name under it */
  rules: string[];
  /** where the rules come from */
  source: string;
  note?: string;
}

export const SERVICE_ID = /^[a-z][a-z0-9-]{0,47}$/;
const CATEGORY_PREFIX = 'service:';

/** The category a service's rules are compiled under (not a valid list category name, so no clash). */
export function serviceCategory(id: string): string {
  return CATEGORY_PREFIX + id;
}

/** The service id of a category name, or null when it is a list category. */
export function serviceIdOf(category: string): string | null {
  return category.startsWith(CATEGORY_PREFIX) ? category.slice(CATEGORY_PREFIX.length) : null;
}

export class ServiceCatalog {
  readonly byId = new Map<string, Service>();
  readonly groupById = new Map<string, ServiceGroup>();

  constructor(readonly groups: readonly ServiceGroup[], readonly services: readonly Service[], readonly digest: string) {
    for (const g of groups) this.groupById.set(g.id, g);
    for (const s of services) this.byId.set(s.id, s);
  }

  /** Service and group ids to the services they name; ids that are neither come back in `unknown`. */
  expand(ids: readonly string[]): { services: Service[]; unknown: string[] } {
    const out = new Map<string, Service>();
    const unknown: string[] = [];
    for (const raw of ids) {
      const id = raw.toLowerCase();
      const s = this.byId.get(id);
      if (s) out.set(s.id, s);
      else if (this.groupById.has(id)) for (const x of this.services) { if (x.group === id) out.set(x.id, x); }
      else unknown.push(raw);
    }
    return { services: [...out.values()], unknown };
  }

  /** Text for an unknown id: the known ones, to fix a typo without opening the catalog. */
  knownIds(): string {
    return `services: ${this.services.map((s) => s.id).join(', ')}; groups: ${this.groups.map((g) => g.id).join(', ')}`;
  }
}

interface CatalogFile {
  groups?: ServiceGroup[];
  services?: Service[];
}

function checkName(n: unknown, where: string, problems: string[]): void {
  const o = n as Partial<LocalizedName> | undefined;
  if (!o || typeof o.en !== 'string' || !o.en.trim() || typeof o.vi !== 'string' || !o.vi.trim()) problems.push(`${where}: needs a name in both en and vi`);
}

/** Parses and checks catalog files; every problem is listed and none of the catalog is used then. */
export function parseServiceCatalog(files: ReadonlyArray<{ name: string; text: string }>): ServiceCatalog {
  const problems: string[] = [];
  const groups: ServiceGroup[] = [];
  const services: Service[] = [];
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(f.name).update('\0').update(f.text).update('\0');
    const doc = parseYaml(f.text) as CatalogFile | null;
    groups.push(...(doc?.groups ?? []).map((g, i) => { checkName(g?.name, `${f.name}: groups[${i}]`, problems); return g; }));
    (doc?.services ?? []).forEach((s, i) => {
      const where = `${f.name}: services[${i}] (${s?.id ?? '?'})`;
      if (typeof s?.id !== 'string' || !SERVICE_ID.test(s.id)) { problems.push(`${where}: id must be lower-case words with hyphens`); return; }
      checkName(s.name, where, problems);
      if (typeof s.source !== 'string' || !s.source.trim()) problems.push(`${where}: needs a source`);
      if (!Array.isArray(s.rules) || s.rules.length === 0) { problems.push(`${where}: needs rules`); return; }
      const rules: string[] = [];
      for (const r of s.rules) {
        const n = typeof r === 'string' ? normalizeName(r) : { error: 'not a string' };
        if ('error' in n || !n.name.includes('.')) problems.push(`${where}: rule "${String(r)}": ${'error' in n ? n.error : 'not a domain'}`);
        else rules.push(n.name);
      }
      services.push({ ...s, rules });
    });
  }
  const ids = new Set<string>();
  for (const g of groups) {
    if (typeof g.id !== 'string' || !SERVICE_ID.test(g.id)) problems.push(`group "${String(g.id)}": id must be lower-case words with hyphens`);
    if (ids.has(g.id)) problems.push(`group "${g.id}": duplicate id`);
    ids.add(g.id);
  }
  for (const s of services) {
    if (ids.has(s.id)) problems.push(`service "${s.id}": duplicate id (a service and a group cannot share one either)`);
    ids.add(s.id);
    if (!groups.some((g) => g.id === s.group)) problems.push(`service "${s.id}": unknown group "${s.group}"`);
  }
  if (problems.length) throw new Error(`services: invalid catalog:\n  ${problems.join('\n  ')}`);
  return new ServiceCatalog(groups, services, hash.digest('hex'));
}

export function servicesDir(): string {
  return join(blocklistsDir(), 'services');
}

/** Reads every *.yaml file of the catalog folder, in name order. */
export function readServiceCatalog(dir = servicesDir()): ServiceCatalog {
  const names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  return parseServiceCatalog(names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })));
}

let current: ServiceCatalog | undefined;

/** The catalog the process uses (read on first use). */
export function serviceCatalog(): ServiceCatalog {
  current ??= readServiceCatalog();
  return current;
}

/** Re-reads the catalog (a list refresh); a broken catalog keeps the last good one and throws. */
export function reloadServiceCatalog(): ServiceCatalog {
  current = readServiceCatalog();
  return current;
}
