import type { SynOrg } from './synthetic-orgs.js';
import { Weighted, type Rng } from './synthetic-random.js';

/**
 * Who writes to whom: the province to its departments and districts (often to all of them at
 * once), departments to the province, each other, districts and enterprises, districts to their
 * communes (often all) and upwards, communes mostly to their own district, enterprises to
 * departments. One document has 1 recipient most of the time and dozens when broadcast.
 */
export type OrgDirectory = {
  province: SynOrg;
  departments: SynOrg[];
  districts: SynOrg[];
  communesOf: Map<string, SynOrg[]>;
  enterprises: SynOrg[];
  byId: Map<string, SynOrg>;
};

export function directory(orgs: SynOrg[]): OrgDirectory {
  const byId = new Map(orgs.map((o) => [String(o._id), o]));
  const communesOf = new Map<string, SynOrg[]>();
  for (const o of orgs)
    if (o.level === 'commune') {
      const k = String(o.parentId);
      communesOf.set(k, [...(communesOf.get(k) ?? []), o]);
    }

  return {
    province: orgs.find((o) => o.level === 'province')!,
    departments: orgs.filter((o) => o.level === 'department'),
    districts: orgs.filter((o) => o.level === 'district'),
    communesOf,
    enterprises: orgs.filter((o) => o.kind === 'enterprise'),
    byId,
  };
}

/** A few of `pool` (k distinct, fewer if the pool is small), never `not`. */
function some(rng: Rng, pool: SynOrg[], k: number, not: SynOrg): SynOrg[] {
  const candidates = pool.filter((o) => o !== not);
  if (k >= candidates.length) return candidates;
  const picked = new Set<SynOrg>();
  while (picked.size < k) picked.add(rng.pick(candidates));

  return [...picked];
}

const FEW = new Weighted<number>([
  [1, 62],
  [2, 16],
  [3, 9],
  [4, 5],
  [5, 3],
  [7, 2],
  [10, 2],
  [15, 1],
]);
const fewOf = (rng: Rng) => FEW.draw(rng);

function fromProvince(rng: Rng, d: OrgDirectory, s: SynOrg): SynOrg[] {
  const x = rng.next();
  if (x < 0.05) return [...d.departments, ...d.districts];
  if (x < 0.11) return d.districts;
  if (x < 0.16) return d.departments;
  if (x < 0.2) return some(rng, d.enterprises, fewOf(rng), s);

  return some(rng, [...d.departments, ...d.districts], fewOf(rng), s);
}

function fromDepartment(rng: Rng, d: OrgDirectory, s: SynOrg): SynOrg[] {
  const x = rng.next();
  if (x < 0.22) return [d.province];
  if (x < 0.3) return d.districts;
  if (x < 0.4) return some(rng, d.enterprises, fewOf(rng), s);
  if (x < 0.43) return some(rng, [...d.communesOf.values()].flat(), fewOf(rng), s);
  if (x < 0.7) return some(rng, d.departments, fewOf(rng), s);

  return some(rng, [...d.departments, ...d.districts, d.province], fewOf(rng), s);
}

function fromDistrict(rng: Rng, d: OrgDirectory, s: SynOrg): SynOrg[] {
  const communes = d.communesOf.get(String(s._id)) ?? [];
  const x = rng.next();
  if (x < 0.2) return communes;
  if (x < 0.55) return some(rng, communes, fewOf(rng), s);
  if (x < 0.72) return [d.province];
  if (x < 0.93) return some(rng, d.departments, fewOf(rng), s);

  return some(rng, d.districts, 1 + rng.int(3), s);
}

function fromCommune(rng: Rng, d: OrgDirectory, s: SynOrg): SynOrg[] {
  const district = d.byId.get(String(s.parentId))!;
  const x = rng.next();
  if (x < 0.76) return rng.chance(0.08) ? [district, d.province] : [district];
  if (x < 0.88) return some(rng, d.departments, 1 + rng.int(2), s);
  if (x < 0.97) return some(rng, d.communesOf.get(String(district._id)) ?? [], 1 + rng.int(3), s);

  return [d.province];
}

function fromEnterprise(rng: Rng, d: OrgDirectory, s: SynOrg): SynOrg[] {
  const x = rng.next();
  if (x < 0.8) return some(rng, d.departments, 1 + rng.int(2), s);
  if (x < 0.95) return [rng.pick(d.districts)];

  return [d.province];
}

const BY_LEVEL: Partial<Record<SynOrg['level'], typeof fromProvince>> = {
  province: fromProvince,
  department: fromDepartment,
  district: fromDistrict,
  commune: fromCommune,
};

/** Recipients of a document `s` issues (distinct, never `s` itself, at least one). */
export function recipientsOf(rng: Rng, d: OrgDirectory, s: SynOrg): SynOrg[] {
  const out = (BY_LEVEL[s.level] ?? fromEnterprise)(rng, d, s);
  // a commune alone in its district has no neighbour to write to: it writes upwards
  if (out.length === 0) return [s === d.province ? d.departments[0]! : d.province];

  return out;
}
