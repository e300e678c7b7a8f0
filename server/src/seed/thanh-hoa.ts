import type { TRole } from '../contracts/common.js';
import type { TOrgCreate } from '../contracts/orgs.js';
import thanhHoa from './data/thanh-hoa.json' with { type: 'json' };

/**
 * Demo data from the Thanh Hóa story. Agency identifiers follow the QĐ 20/2020 shape
 * (….H56 for Thanh Hóa) but below the province they are illustrative, as are the tax codes.
 */
export type SeedOrg = Omit<TOrgCreate, 'parentId' | 'contact'> & {
  key: string;
  parent?: string;
  users: SeedUser[];
};
export type SeedUser = { username: string; fullName: string; title?: string; roles: TRole[] };

/** A state agency of the demo: its clerk, leader (who signs) and administrator follow from it. */
type AgencySpec = Omit<SeedOrg, 'kind' | 'users'> & {
  /** Login names are `vanthu.<slug>`, `lanhdao.<slug>`, `quantri.<slug>`. */
  slug: string;
  leader: { fullName: string; title: string };
};

const agency = ({ slug, leader, ...org }: AgencySpec): SeedOrg => ({
  ...org,
  kind: 'agency',
  users: [
    {
      username: `vanthu.${slug}`,
      fullName: `Văn thư ${org.name}`,
      title: 'Văn thư',
      roles: ['clerk'],
    },
    { username: `lanhdao.${slug}`, ...leader, roles: ['signer'] },
    {
      username: `quantri.${slug}`,
      fullName: `Quản trị ${org.name}`,
      title: 'Quản trị hệ thống',
      roles: ['org_admin'],
    },
  ],
});

/**
 * The agencies, then the other organizations as they are (the inspection is the auditors'
 * organization: the only kind that may hold the auditor role).
 */
const data = thanhHoa as { agencies: AgencySpec[]; others: SeedOrg[] };

export const THANH_HOA: SeedOrg[] = [...data.agencies.map(agency), ...data.others];
