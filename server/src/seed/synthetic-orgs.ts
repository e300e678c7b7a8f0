import type { Types } from 'mongoose';
import type { TOrg } from '../contracts/orgs.js';
import { foldVietnamese } from '../db/model.js';
import districts from './data/thanh-hoa-districts.json' with { type: 'json' };
import { ID_KIND, type IdMaker, type Rng } from './synthetic-random.js';

/**
 * The synthetic province: 500 organizations shaped like Thanh Hóa's administration — the
 * provincial People's Committee, 20 departments, 27 district-level units with their communes and
 * wards (the real counts scaled to fit), and enterprises with tax codes. Codes follow the
 * QĐ 20/2020 identifier shape behind a `SYN-` prefix, so they never collide with real ones.
 */
export const SYNTHETIC_ORGS = 500;
export const SYNTHETIC_CODE_PREFIX = 'SYN-';
const ENTERPRISES = 40;
const PROVINCE_CODE = 'H56';

export type SynOrg = {
  _id: Types.ObjectId;
  code: string;
  name: string;
  shortName: string;
  kind: TOrg['kind'];
  level: TOrg['level'];
  parentId: Types.ObjectId | null;
  ancestors: Types.ObjectId[];
  /** Abbreviation used in document notations (ký hiệu), e.g. UBND, SNV. */
  abbr: string;
  /** Place name written on its documents. */
  place: string;
  /** Head of the organization and the title it signs with. */
  leader: { fullName: string; position: string };
  /** Relative volume of documents it issues. */
  activity: number;
};

/** Province departments (Sở and equivalents): name, notation abbreviation, relative activity. */
const DEPARTMENTS: [string, string, number][] = [
  ['Văn phòng UBND tỉnh', 'VP', 1.4],
  ['Sở Nội vụ', 'SNV', 1.2],
  ['Sở Tư pháp', 'STP', 0.8],
  ['Sở Kế hoạch và Đầu tư', 'SKHĐT', 1.3],
  ['Sở Tài chính', 'STC', 1.4],
  ['Sở Công Thương', 'SCT', 1.0],
  ['Sở Nông nghiệp và Phát triển nông thôn', 'SNN', 1.2],
  ['Sở Giao thông vận tải', 'SGTVT', 1.0],
  ['Sở Xây dựng', 'SXD', 1.0],
  ['Sở Tài nguyên và Môi trường', 'STNMT', 1.2],
  ['Sở Thông tin và Truyền thông', 'STTTT', 0.9],
  ['Sở Lao động - Thương binh và Xã hội', 'SLĐTBXH', 1.0],
  ['Sở Văn hóa, Thể thao và Du lịch', 'SVHTTDL', 0.8],
  ['Sở Khoa học và Công nghệ', 'SKHCN', 0.6],
  ['Sở Giáo dục và Đào tạo', 'SGDĐT', 1.3],
  ['Sở Y tế', 'SYT', 1.2],
  ['Sở Ngoại vụ', 'SNgV', 0.4],
  ['Thanh tra tỉnh', 'TTr', 0.7],
  ['Ban Dân tộc', 'BDT', 0.5],
  ['Ban Quản lý Khu kinh tế Nghi Sơn và các khu công nghiệp', 'BQLKKT', 0.7],
];

type DistrictSpec = {
  kind: 'thành phố' | 'thị xã' | 'huyện';
  name: string;
  /** Real number of communes and wards, scaled down to fit 500 organizations. */
  units: number;
  /** Syllable many of its communes' names start with (Hoằng Phú, Thiệu Long…), if any. */
  prefix?: string;
};

const DISTRICTS = districts as DistrictSpec[];

const WARDS = [
  'Điện Biên',
  'Lam Sơn',
  'Ba Đình',
  'Ngọc Trạo',
  'Đông Thọ',
  'Nam Ngạn',
  'Trường Thi',
  'Phú Sơn',
  'Đông Sơn',
  'Đông Vệ',
  'Tân Sơn',
  'Quảng Hưng',
  'Đông Hương',
  'Đông Hải',
  'Quảng Thành',
  'Quảng Thắng',
  'An Hưng',
  'Tào Xuyên',
  'Long Anh',
  'Bắc Sơn',
  'Trung Sơn',
  'Quảng Tiến',
  'Quảng Cư',
  'Ngọc Sơn',
  'Hải Hòa',
  'Hải Ninh',
  'Bình Minh',
  'Tĩnh Hải',
];

/** Second syllables of commune names (Hoằng Phú, Thiệu Long, Xuân Lập…). */
const SUFFIXES = [
  'Phú',
  'Long',
  'Ngọc',
  'Thịnh',
  'Tân',
  'An',
  'Lộc',
  'Hòa',
  'Phúc',
  'Thành',
  'Trung',
  'Đông',
  'Tây',
  'Nam',
  'Bắc',
  'Sơn',
  'Hải',
  'Lợi',
  'Hưng',
  'Khê',
  'Minh',
  'Quang',
  'Tiến',
  'Đức',
  'Thắng',
  'Vinh',
  'Yên',
  'Hợp',
  'Giang',
  'Lập',
  'Trường',
  'Châu',
  'Đạt',
  'Quý',
  'Xuyên',
  'Cát',
  'Đồng',
  'Kim',
  'Lương',
  'Thái',
  'Hà',
  'Lĩnh',
  'Phong',
  'Khánh',
  'Tường',
  'Ninh',
];
/** Whole names for communes of districts without a shared first syllable. */
const FIRSTS = [
  'Tân',
  'Xuân',
  'Thọ',
  'Hợp',
  'Minh',
  'Đồng',
  'Thiết',
  'Điền',
  'Lũng',
  'Cổ',
  'Lương',
  'Văn',
  'Trung',
  'Hải',
  'Phú',
  'Thanh',
  'Yên',
  'Cao',
  'Bình',
  'Vạn',
  'Tượng',
  'Tế',
  'Thăng',
  'Quang',
];

const FAMILY = [
  'Nguyễn',
  'Lê',
  'Trần',
  'Phạm',
  'Hoàng',
  'Vũ',
  'Đỗ',
  'Trịnh',
  'Mai',
  'Lê',
  'Nguyễn',
];
const MIDDLE_M = ['Văn', 'Đình', 'Xuân', 'Minh', 'Hữu', 'Đức', 'Quang', 'Ngọc'];
const MIDDLE_F = ['Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Hồng'];
const GIVEN_M = ['Hùng', 'Dũng', 'Thắng', 'Hải', 'Long', 'Sơn', 'Tuấn', 'Cường', 'Bình', 'Phong'];
const GIVEN_F = ['Lan', 'Hương', 'Hà', 'Mai', 'Hằng', 'Thủy', 'Nga', 'Linh', 'Yến', 'Hạnh'];

const ENTERPRISE_FORMS = ['Công ty TNHH', 'Công ty Cổ phần', 'Công ty TNHH MTV', 'Hợp tác xã'];
const ENTERPRISE_SECTORS = [
  'Xây dựng',
  'Thương mại',
  'Vận tải',
  'Dược phẩm',
  'Xi măng',
  'May mặc',
  'Nông sản',
  'Thủy sản',
  'Vật liệu xây dựng',
  'Thực phẩm',
  'Du lịch',
  'Cơ khí',
  'Điện lực',
  'Môi trường',
];
const ENTERPRISE_BRANDS = [
  'Hưng Phát',
  'Lam Sơn',
  'Nghi Sơn',
  'Hàm Rồng',
  'Sông Mã',
  'Hoàng Long',
  'Tiến Thành',
  'Hải Vân',
  'Thành Đạt',
  'Phú Quý',
  'Bình Minh',
  'An Phát',
  'Đông Á',
  'Trường Xuân',
];

export function personName(rng: Rng): string {
  const female = rng.chance(0.35);

  return `${rng.pick(FAMILY)} ${rng.pick(female ? MIDDLE_F : MIDDLE_M)} ${rng.pick(female ? GIVEN_F : GIVEN_M)}`;
}

/** Largest-remainder scaling of the real unit counts to `total`. */
function scaledUnits(total: number): number[] {
  const sum = DISTRICTS.reduce((a, d) => a + d.units, 0);
  const raw = DISTRICTS.map((d) => (d.units * total) / sum);
  const out = raw.map(Math.floor);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  const missing = total - out.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) out[order[k]![1]]! += 1;

  return out;
}

function communeNames(rng: Rng, d: DistrictSpec, n: number, taken: Set<string>): string[] {
  const names: string[] = [];
  const urban = d.kind === 'huyện' ? 0 : Math.ceil(n * (d.kind === 'thành phố' ? 0.6 : 0.4));
  while (names.length < n) {
    const ward = names.length < urban;
    let full = '';
    // ward names run out across the towns: then a ward gets a commune-style name
    for (let tries = 0; tries < 200 && (!full || taken.has(full)); tries++) {
      const first = d.prefix ?? rng.pick(FIRSTS);
      const second = rng.pick(SUFFIXES.filter((x) => x !== first));
      const base = ward && tries < 50 ? rng.pick(WARDS) : `${first} ${second}`;
      full = `${ward ? 'phường' : 'xã'} ${base}`;
    }
    if (taken.has(full)) full = `${full} ${names.length + 1}`;
    taken.add(full);
    names.push(full);
  }

  return names;
}

const nfc = (s: string) => s.normalize('NFC');

/** The 500 organizations, parents before children; deterministic for a seed. */
export function makeOrgTree(rng: Rng, ids: IdMaker, at: number): SynOrg[] {
  const orgs: SynOrg[] = [];
  const add = (o: Omit<SynOrg, '_id' | 'parentId' | 'ancestors'>, parent: SynOrg | null) => {
    const org: SynOrg = {
      ...o,
      name: nfc(o.name),
      shortName: nfc(o.shortName),
      place: nfc(o.place),
      _id: ids.make(ID_KIND.org, at),
      parentId: parent?._id ?? null,
      ancestors: parent ? [...parent.ancestors, parent._id] : [],
    };
    orgs.push(org);

    return org;
  };
  const code = (a: number, b: number, c: number) =>
    `${SYNTHETIC_CODE_PREFIX}${String(a).padStart(3, '0')}.${String(b).padStart(2, '0')}.${String(c).padStart(2, '0')}.${PROVINCE_CODE}`;
  const province = add(
    {
      code: code(0, 0, 0),
      name: 'UBND tỉnh Thanh Hóa',
      shortName: 'UBND tỉnh',
      kind: 'agency',
      level: 'province',
      abbr: 'UBND',
      place: 'Thanh Hóa',
      leader: { fullName: personName(rng), position: 'Chủ tịch' },
      activity: 40,
    },
    null,
  );
  DEPARTMENTS.forEach(([name, abbr, activity], i) =>
    add(
      {
        code: code(0, 0, i + 1),
        name,
        shortName: name.length <= 30 ? name : abbr,
        kind: 'agency',
        level: 'department',
        abbr,
        place: 'Thanh Hóa',
        leader: {
          fullName: personName(rng),
          position: name.startsWith('Sở') ? 'Giám đốc' : 'Chánh Văn phòng',
        },
        activity: 14 * activity,
      },
      province,
    ),
  );
  const communeTotal = SYNTHETIC_ORGS - 1 - DEPARTMENTS.length - DISTRICTS.length - ENTERPRISES;
  const units = scaledUnits(communeTotal);
  const taken = new Set<string>();
  DISTRICTS.forEach((d, i) => {
    const district = add(
      {
        code: code(0, 0, 21 + i),
        name: `UBND ${d.kind} ${d.name}`,
        shortName: d.name,
        kind: 'agency',
        level: 'district',
        abbr: 'UBND',
        place: d.name,
        leader: { fullName: personName(rng), position: 'Chủ tịch' },
        activity: 6 + units[i]! * 0.3,
      },
      province,
    );
    communeNames(rng, d, units[i]!, taken).forEach((n, k) =>
      add(
        {
          code: code(k + 1, 21 + i, 0),
          name: `UBND ${n}`,
          shortName: n.replace(/^(xã|phường) /, ''),
          kind: 'agency',
          level: 'commune',
          abbr: 'UBND',
          place: n.replace(/^(xã|phường) /, ''),
          leader: { fullName: personName(rng), position: 'Chủ tịch' },
          activity: 0.5 + rng.next() * 0.8,
        },
        district,
      ),
    );
  });
  const names = new Set<string>();
  while (names.size < ENTERPRISES)
    names.add(
      `${rng.pick(ENTERPRISE_FORMS)} ${rng.pick(ENTERPRISE_SECTORS)} ${rng.pick(ENTERPRISE_BRANDS)}`,
    );
  const taxCodes = new Set<string>();
  while (taxCodes.size < ENTERPRISES) taxCodes.add(`28${String(rng.int(1e8)).padStart(8, '0')}`);
  const tax = [...taxCodes];
  [...names].forEach((name, i) =>
    add(
      {
        code: `${SYNTHETIC_CODE_PREFIX}${tax[i]!}`,
        name,
        shortName: name.replace(/^(Công ty (TNHH MTV|TNHH|Cổ phần)|Hợp tác xã) /, '').slice(0, 30),
        kind: 'enterprise',
        level: 'unit',
        abbr: 'CT',
        place: 'Thanh Hóa',
        leader: { fullName: personName(rng), position: 'Giám đốc' },
        activity: 0.3 + rng.next() * 0.6,
      },
      null,
    ),
  );

  return orgs;
}

/** The stored organization document (what the orgs module would have written), flagged. */
export function orgDocument(o: SynOrg, at: Date): Record<string, unknown> {
  return {
    _id: o._id,
    code: o.code,
    name: o.name,
    nameFolded: foldVietnamese(o.name),
    shortName: o.shortName,
    kind: o.kind,
    level: o.level,
    parentId: o.parentId,
    ancestors: o.ancestors,
    contact: {},
    active: true,
    external: false,
    synthetic: true,
    createdAt: at,
    updatedAt: at,
  };
}
