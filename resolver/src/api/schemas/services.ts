import { Type, type Static } from '@sinclair/typebox';

// The services catalog as the console shows it: groups and apps with names in both languages,
// and the help text on what DNS filtering cannot stop. Policies and schedules name these ids
// in their `services` field (a group id means all of its apps).

const Names = Type.Object({ en: Type.String(), vi: Type.String() });
const HelpText = Type.Object({ title: Type.String(), cannotStop: Type.Array(Type.String()), whatToDo: Type.Array(Type.String()) });

export const ServiceCatalogBody = Type.Object({
  groups: Type.Array(Type.Object({ id: Type.String(), name: Names })),
  services: Type.Array(Type.Object({
    id: Type.String(),
    name: Names,
    group: Type.String(),
    rules: Type.Array(Type.String(), { description: 'suffix rules: each name and every name under it' }),
    source: Type.String({ description: 'where the rules come from' }),
    note: Type.Optional(Type.String()),
  })),
  limits: Type.Object({ en: HelpText, vi: HelpText }, { description: 'what DNS filtering cannot stop, and what to do at the router' }),
});

export type ServiceCatalogBodyT = Static<typeof ServiceCatalogBody>;
