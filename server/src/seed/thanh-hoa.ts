import type { TRole } from '../contracts/common.js';
import type { TOrgCreate } from '../contracts/orgs.js';

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

const agency = (
  key: string,
  code: string,
  name: string,
  level: TOrgCreate['level'],
  parent: string | undefined,
  slug: string,
  leader: [string, string],
): SeedOrg => ({
  key,
  code,
  name,
  kind: 'agency',
  level,
  ...(parent ? { parent } : {}),
  users: [
    { username: `vanthu.${slug}`, fullName: `Văn thư ${name}`, title: 'Văn thư', roles: ['clerk'] },
    { username: `lanhdao.${slug}`, fullName: leader[0], title: leader[1], roles: ['signer'] },
    {
      username: `quantri.${slug}`,
      fullName: `Quản trị ${name}`,
      title: 'Quản trị hệ thống',
      roles: ['org_admin'],
    },
  ],
});

export const THANH_HOA: SeedOrg[] = [
  agency('tinh', '000.00.00.H56', 'UBND tỉnh Thanh Hóa', 'province', undefined, 'ubndtinh', [
    'Nguyễn Văn Thi',
    'Chủ tịch',
  ]),
  agency('vp', '000.00.01.H56', 'Văn phòng UBND tỉnh Thanh Hóa', 'department', 'tinh', 'vpubnd', [
    'Lê Thị Hà',
    'Chánh Văn phòng',
  ]),
  agency('tttt', '000.00.12.H56', 'Sở Thông tin và Truyền thông', 'department', 'tinh', 'sotttt', [
    'Phạm Minh Đức',
    'Giám đốc Sở',
  ]),
  agency('noivu', '000.00.05.H56', 'Sở Nội vụ', 'department', 'tinh', 'sonoivu', [
    'Trịnh Thị Lan',
    'Giám đốc Sở',
  ]),
  agency('hoanghoa', '000.00.25.H56', 'UBND huyện Hoằng Hóa', 'district', 'tinh', 'hoanghoa', [
    'Lê Văn Hoằng',
    'Chủ tịch',
  ]),
  agency('hoangdong', '000.01.25.H56', 'UBND xã Hoằng Đồng', 'commune', 'hoanghoa', 'hoangdong', [
    'Nguyễn Thị Đông',
    'Chủ tịch',
  ]),
  agency(
    'hoangthinh',
    '000.02.25.H56',
    'UBND xã Hoằng Thịnh',
    'commune',
    'hoanghoa',
    'hoangthinh',
    ['Hoàng Văn Thịnh', 'Chủ tịch'],
  ),
  agency('yendinh', '000.00.31.H56', 'UBND huyện Yên Định', 'district', 'tinh', 'yendinh', [
    'Đỗ Văn Định',
    'Chủ tịch',
  ]),
  agency('dinhlong', '000.01.31.H56', 'UBND xã Định Long', 'commune', 'yendinh', 'dinhlong', [
    'Vũ Thị Long',
    'Chủ tịch',
  ]),
  {
    key: 'thanhtra',
    code: '000.00.07.H56',
    name: 'Thanh tra tỉnh Thanh Hóa',
    // the auditors' organization: the only kind that may hold the auditor role
    kind: 'inspection',
    level: 'department',
    parent: 'tinh',
    users: [
      {
        username: 'thanhtra.tinh',
        fullName: 'Mai Văn Tra',
        title: 'Thanh tra viên',
        roles: ['auditor'],
      },
    ],
  },
  {
    key: 'quocdai',
    code: '2801234567',
    name: 'Công ty Quốc Đại Craft',
    kind: 'enterprise',
    level: 'unit',
    users: [
      {
        username: 'quantri.quocdai',
        fullName: 'Trần Quốc Đại',
        title: 'Giám đốc',
        roles: ['org_admin'],
      },
      {
        username: 'nhanvien.quocdai',
        fullName: 'Lê Thị Thủ Công',
        title: 'Nhân viên văn thư',
        roles: ['enterprise_user'],
      },
    ],
  },
  {
    key: 'lamson',
    code: '2801000002',
    name: 'Công ty Cổ phần Nông sản Lam Sơn',
    kind: 'enterprise',
    level: 'unit',
    users: [
      {
        username: 'nhanvien.lamson',
        fullName: 'Phan Văn Sơn',
        title: 'Văn thư',
        roles: ['enterprise_user'],
      },
    ],
  },
];
