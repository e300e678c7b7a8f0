import type { Types } from 'mongoose';
import {
  DOCUMENT_TYPES,
  type TDocumentType,
  type TSignatureInfo,
  type TUrgency,
} from '../contracts/documents.js';
import { foldVietnamese } from '../db/model.js';
import type { VersionDoc } from '../modules/documents/index.js';
import { ID_KIND, Weighted, randomHex, type IdMaker, type Rng } from './synthetic-random.js';
import type { SynOrg } from './synthetic-orgs.js';

/**
 * Decree 30 documents of the synthetic history: types and urgencies in realistic proportions,
 * subjects, numbers per organization and year, and version histories carrying signatures the way
 * the signing module records them (a `signature` version per signature, `signature.kind`
 * personal or seal), so the statistics treat them exactly as signed documents.
 */
const HOUR = 3_600_000;

const TYPES_AGENCY = new Weighted<TDocumentType>([
  ['Công văn', 52],
  ['Quyết định', 11],
  ['Thông báo', 7],
  ['Báo cáo', 8],
  ['Kế hoạch', 5],
  ['Giấy mời', 6],
  ['Tờ trình', 4],
  ['Hướng dẫn', 1.5],
  ['Công điện', 0.7],
  ['Chỉ thị', 0.4],
  ['Chương trình', 0.8],
  ['Biên bản', 1],
  ['Phương án', 0.5],
  ['Đề án', 0.3],
  ['Bản sao y', 1],
  ['Phiếu chuyển', 0.8],
]);
const TYPES_ENTERPRISE = new Weighted<TDocumentType>([
  ['Công văn', 70],
  ['Báo cáo', 15],
  ['Tờ trình', 8],
  ['Hợp đồng', 3],
  ['Biên bản', 4],
]);

export const URGENCY = new Weighted<TUrgency>([
  ['thuong', 80],
  ['khan', 13],
  ['thuong_khan', 5],
  ['hoa_toc', 2],
]);

const TOPICS = [
  'chuyển đổi số',
  'cải cách hành chính',
  'phòng, chống thiên tai và tìm kiếm cứu nạn',
  'xây dựng nông thôn mới',
  'công tác văn thư, lưu trữ',
  'phòng cháy, chữa cháy',
  'bảo đảm trật tự, an toàn giao thông',
  'bảo vệ môi trường',
  'quản lý đất đai',
  'giải ngân vốn đầu tư công',
  'thu ngân sách nhà nước',
  'phòng, chống dịch bệnh',
  'giảm nghèo bền vững',
  'an toàn thực phẩm',
  'tuyển sinh đầu cấp',
  'chi trả trợ cấp ưu đãi người có công',
  'cấp giấy chứng nhận quyền sử dụng đất',
  'phòng, chống tham nhũng, tiêu cực',
  'thực hành tiết kiệm, chống lãng phí',
  'tiếp công dân, giải quyết khiếu nại, tố cáo',
  'sắp xếp đơn vị hành chính',
  'bảo hiểm xã hội, bảo hiểm y tế',
  'quản lý trật tự xây dựng',
  'khuyến nông, khuyến ngư',
  'tiêm chủng mở rộng',
  'đào tạo, bồi dưỡng cán bộ, công chức',
  'thi đua, khen thưởng',
  'quốc phòng, an ninh',
  'Đề án 06 về dữ liệu dân cư',
  'hỗ trợ doanh nghiệp nhỏ và vừa',
];

function subjectOf(rng: Rng, type: TDocumentType, year: number): string {
  const topic = rng.pick(TOPICS);
  switch (type) {
    case 'Công văn':
      return rng.pick([
        `V/v triển khai thực hiện công tác ${topic}`,
        `V/v báo cáo tình hình ${topic}`,
        `V/v đôn đốc thực hiện nhiệm vụ ${topic}`,
        `V/v góp ý dự thảo văn bản về ${topic}`,
        `V/v cung cấp thông tin, số liệu về ${topic}`,
      ]);
    case 'Quyết định':
      return rng.pick([
        `Phê duyệt kế hoạch ${topic} năm ${year}`,
        `Thành lập Tổ công tác về ${topic}`,
        `Ban hành Quy chế phối hợp về ${topic}`,
      ]);
    case 'Báo cáo':
      return `Kết quả thực hiện công tác ${topic} ${rng.pick(['tháng', 'quý', '6 tháng', 'năm'])} ${year}`;
    case 'Kế hoạch':
      return `Thực hiện ${topic} năm ${year}`;
    case 'Giấy mời':
      return `Dự hội nghị sơ kết công tác ${topic}`;
    case 'Thông báo':
      return `Kết luận của lãnh đạo tại cuộc họp về ${topic}`;
    case 'Tờ trình':
      return `Đề nghị phê duyệt dự toán kinh phí ${topic}`;
    default:
      return `Về ${topic}`;
  }
}

/** Versions are stored exactly as the documents module stores them. */
export type SynVersion = VersionDoc;

export type SynDocument = {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  meta: {
    type: TDocumentType;
    number: number;
    notation: string;
    register: string;
    issuePlace: string;
    issueDate: string;
    subject: string;
    urgency: TUrgency;
    confidentiality: 'thuong' | 'mat';
    signer: { fullName: string; position: string; competence?: string };
    dueDate?: string;
    pageCount: number;
  };
  year: number;
  codeLabel: string;
  folded: string;
  versions: SynVersion[];
  currentVersionId: Types.ObjectId;
  status: 'dispatched' | 'recalled';
  sharedWith: Types.ObjectId[];
  createdBy: Types.ObjectId;
  idempotencyKey: null;
  synthetic: true;
  createdAt: Date;
  updatedAt: Date;
};

/** Người ký: the head, or a deputy signing "KT." on the head's behalf. */
function signerOf(rng: Rng, org: SynOrg, deputy: string): SynDocument['meta']['signer'] {
  if (rng.chance(0.45)) return { ...org.leader };

  return { fullName: deputy, position: `Phó ${org.leader.position}`, competence: 'KT' };
}

function notationOf(rng: Rng, type: TDocumentType, org: SynOrg): string {
  const abbr = DOCUMENT_TYPES[type];
  if (abbr) return `${abbr}-${org.abbr}`;
  // công văn: issuer and the drafting unit (UBND-VP, SNV-TCCB…)
  return `${org.abbr}-${rng.pick(['VP', 'TH', 'KT', 'NC', 'VX', 'TCCB', 'KHTC'])}`;
}

export type DocumentPlan = {
  doc: SynDocument;
  /** The version dispatched (the last one before dispatch). */
  dispatched: SynVersion;
};

/** Who registers and seals documents (văn thư), handles them, and the deputy head. */
export type Staff = {
  clerkId: Types.ObjectId;
  clerkName: string;
  handlerId: Types.ObjectId;
  deputyName: string;
};

/**
 * A document issued by `org` and dispatched at `at`: upload, sometimes a replacement, the
 * personal signature of the signer and the organization's seal (Decree 30: 98 % of agency
 * documents carry the seal), each a new version.
 */
export type DocumentInput = {
  org: SynOrg;
  staff: Staff;
  /** Dispatch instant (ms); versions are made in the hours before it. */
  at: number;
  issueDay: string;
  urgency: TUrgency;
  dueDay: string | null;
  /** Next number of the organization's register for a year. */
  number: (year: number) => number;
};

export function makeDocument(rng: Rng, ids: IdMaker, input: DocumentInput): DocumentPlan {
  const { org, staff, at, issueDay, urgency, dueDay } = input;
  const agency = org.kind === 'agency';
  const type = (agency ? TYPES_AGENCY : TYPES_ENTERPRISE).draw(rng);
  const year = Number(issueDay.slice(0, 4));
  const n = input.number(year);
  const notation = notationOf(rng, type, org);
  const subject = subjectOf(rng, type, year).normalize('NFC');
  const signer = signerOf(rng, org, staff.deputyName);
  const codeLabel = `${n}/${notation}`;
  const versions: SynVersion[] = [];
  const docId = ids.make(ID_KIND.document, at - 30 * HOUR);
  const version = (
    t: number,
    reason: SynVersion['reason'],
    fileName: string,
    signature?: TSignatureInfo,
  ) => {
    const v: SynVersion = {
      _id: ids.make(ID_KIND.version, t),
      fileId: ids.make(ID_KIND.file, t),
      fileName,
      size: 60_000 + rng.int(1_500_000),
      sha256: randomHex(rng, 64),
      createdAt: new Date(t),
      createdBy: staff.clerkId,
      reason,
      ...(signature ? { signature } : {}),
    };
    versions.push(v);

    return v;
  };
  const sealAt = at - Math.floor(rng.logNormal(0.3 * HOUR, 0.8));
  const personalAt = sealAt - Math.floor(rng.logNormal(3 * HOUR, 1));
  const uploadAt = personalAt - Math.floor(rng.logNormal(20 * HOUR, 1));
  const base = `${type} ${n}-${notation}`.replace(/\s+/g, '-');
  version(uploadAt, 'upload', `${base}.pdf`);
  if (rng.chance(0.06))
    version(uploadAt + Math.floor((personalAt - uploadAt) / 2), 'replacement', `${base}-sua.pdf`);
  const sign = (kind: 'personal' | 'seal', t: number, name: string) =>
    version(t, 'signature', `${base} (đã ký).pdf`, {
      signer: name,
      organization: org.name,
      kind,
      level: rng.chance(kind === 'seal' ? 0.8 : 0.3) ? 'B-LT' : 'B-T',
      signedAt: new Date(t).toISOString(),
      certificateSerial: randomHex(rng, 32),
    });
  if (rng.chance(agency ? 0.93 : 0.85)) sign('personal', personalAt, signer.fullName);
  if (rng.chance(agency ? 0.98 : 0.6)) sign('seal', sealAt, org.name);
  const dispatched = versions.at(-1)!;
  const doc: SynDocument = {
    _id: docId,
    orgId: org._id,
    meta: {
      type,
      number: n,
      notation,
      register: 'chung',
      issuePlace: org.place,
      issueDate: issueDay,
      subject,
      urgency,
      confidentiality: rng.chance(0.004) ? 'mat' : 'thuong',
      signer,
      ...(dueDay ? { dueDate: dueDay } : {}),
      pageCount: 1 + Math.floor(rng.logNormal(2, 0.7)),
    },
    year,
    codeLabel,
    folded: foldVietnamese(`${subject} ${codeLabel}`),
    versions,
    currentVersionId: dispatched._id,
    status: 'dispatched',
    sharedWith: [],
    createdBy: staff.clerkId,
    idempotencyKey: null,
    synthetic: true,
    createdAt: new Date(uploadAt),
    updatedAt: new Date(at),
  };

  return { doc, dispatched };
}

/** A corrected file sent after dispatch (update request): replacement, then signed again. */
export function addCorrection(
  rng: Rng,
  ids: IdMaker,
  plan: DocumentPlan,
  org: SynOrg,
  at: number,
): SynVersion {
  const doc = plan.doc;
  const replaced: SynVersion = {
    ...plan.dispatched,
    _id: ids.make(ID_KIND.version, at - HOUR),
    fileId: ids.make(ID_KIND.file, at - HOUR),
    fileName: plan.dispatched.fileName.replace(' (đã ký).pdf', '-dinh-chinh.pdf'),
    sha256: randomHex(rng, 64),
    createdAt: new Date(at - HOUR),
    reason: 'replacement',
  };
  delete replaced.signature;
  const sealed: SynVersion = {
    ...replaced,
    _id: ids.make(ID_KIND.version, at),
    fileId: ids.make(ID_KIND.file, at),
    fileName: replaced.fileName.replace('.pdf', ' (đã ký).pdf'),
    sha256: randomHex(rng, 64),
    createdAt: new Date(at),
    reason: 'signature',
    signature: {
      signer: org.name,
      organization: org.name,
      kind: 'seal',
      level: 'B-LT',
      signedAt: new Date(at).toISOString(),
      certificateSerial: randomHex(rng, 32),
    },
  };
  doc.versions.push(replaced, sealed);
  doc.currentVersionId = sealed._id;

  return sealed;
}
