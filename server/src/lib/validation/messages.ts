/**
 * Every sentence a report can carry, in Vietnamese and English, keyed by a stable code so that
 * programs match codes and people read text. `{name}` placeholders are filled from params.
 */
import type { TMessage } from './report.schemas.js';

const CATALOG = {
  SIGNATURE_VALID: ['Chữ ký hợp lệ.', 'The signature is valid.'],
  TIMESTAMP_VALID: ['Dấu thời gian tài liệu hợp lệ.', 'The document time-stamp is valid.'],
  BYTE_RANGE_INVALID: ['ByteRange không hợp lệ: {detail}.', 'Invalid ByteRange: {detail}.'],
  CONTENTS_MISMATCH: [
    'Giá trị /Contents không nằm đúng khoảng trống giữa hai phần được ký.',
    'The /Contents value is not in the gap between the two signed ranges.',
  ],
  CMS_UNREADABLE: [
    'Không đọc được cấu trúc CMS của chữ ký: {detail}.',
    'The CMS structure of the signature cannot be read: {detail}.',
  ],
  DIGEST_MISMATCH: [
    'Giá trị băm của tài liệu không khớp với giá trị đã ký (tài liệu đã bị sửa).',
    'The document digest does not match the signed message-digest (the document was altered).',
  ],
  MESSAGE_DIGEST_MISSING: [
    'Thiếu thuộc tính message-digest.',
    'The message-digest attribute is missing.',
  ],
  SIGNATURE_VALUE_INVALID: [
    'Giá trị chữ ký không khớp với khóa công khai của chứng thư.',
    'The signature value does not verify with the certificate public key.',
  ],
  UNSUPPORTED_ALGORITHM: [
    'Thuật toán không được hỗ trợ: {detail}.',
    'Unsupported algorithm: {detail}.',
  ],
  WEAK_ALGORITHM: ['Thuật toán yếu: {detail}.', 'Weak algorithm: {detail}.'],
  NO_SIGNING_CERTIFICATE: [
    'Không tìm thấy chứng thư của người ký trong chữ ký.',
    'The signing certificate is not in the signature.',
  ],
  ESS_MISMATCH: [
    'Thuộc tính signing-certificate không khớp với chứng thư người ký.',
    'The signing-certificate attribute does not match the signer certificate.',
  ],
  NO_CHAIN: [
    'Không xây dựng được chuỗi chứng thư tới một CA gốc tin cậy.',
    'No certificate chain to a trusted root could be built.',
  ],
  CHAIN_SIGNATURE_INVALID: [
    'Chữ ký trên chứng thư {subject} không hợp lệ.',
    'The signature on certificate {subject} is invalid.',
  ],
  CERT_EXPIRED: [
    'Chứng thư {subject} đã hết hạn ({notAfter}) trước thời điểm ký được chứng minh.',
    'Certificate {subject} expired ({notAfter}) before the proven signing time.',
  ],
  CERT_EXPIRED_NO_POE: [
    'Chứng thư {subject} đã hết hạn ({notAfter}) và không có dấu thời gian chứng minh chữ ký được tạo trước đó.',
    'Certificate {subject} expired ({notAfter}) and no time-stamp proves the signature existed before.',
  ],
  CERT_NOT_YET_VALID: [
    'Chứng thư {subject} chưa có hiệu lực tại thời điểm ký ({notBefore}).',
    'Certificate {subject} was not yet valid at signing time ({notBefore}).',
  ],
  KEY_USAGE: [
    'Chứng thư người ký không cho phép ký số (keyUsage thiếu digitalSignature/nonRepudiation).',
    'The signer certificate does not allow signing (keyUsage lacks digitalSignature/nonRepudiation).',
  ],
  CA_CONSTRAINTS: [
    'Chứng thư {subject} được dùng như CA nhưng không phải CA.',
    'Certificate {subject} is used as a CA but is not a CA.',
  ],
  REVOKED: [
    'Chứng thư {subject} đã bị thu hồi lúc {revokedAt}, trước thời điểm ký được chứng minh.',
    'Certificate {subject} was revoked at {revokedAt}, before the proven signing time.',
  ],
  REVOKED_NO_POE: [
    'Chứng thư {subject} đã bị thu hồi lúc {revokedAt}; không có dấu thời gian chứng minh chữ ký có trước đó.',
    'Certificate {subject} was revoked at {revokedAt}; no time-stamp proves the signature existed before.',
  ],
  REVOKED_AFTER_SIGNING: [
    'Chứng thư {subject} bị thu hồi lúc {revokedAt}, sau thời điểm ký được chứng minh.',
    'Certificate {subject} was revoked at {revokedAt}, after the proven signing time.',
  ],
  NO_REVOCATION: [
    'Không có thông tin thu hồi (OCSP/CRL) cho chứng thư {subject}.',
    'No revocation information (OCSP/CRL) for certificate {subject}.',
  ],
  REVOCATION_UNKNOWN: [
    'Máy chủ OCSP không biết chứng thư {subject}.',
    'The OCSP responder does not know certificate {subject}.',
  ],
  REVOCATION_INVALID: [
    'Thông tin thu hồi cho {subject} bị bỏ qua: {detail}.',
    'Revocation data for {subject} was ignored: {detail}.',
  ],
  ONLINE_FETCH_FAILED: [
    'Không tải được thông tin thu hồi từ {url}: {detail}.',
    'Could not fetch revocation data from {url}: {detail}.',
  ],
  TST_INVALID: [
    'Dấu thời gian của chữ ký không hợp lệ: {detail}.',
    'The signature time-stamp is invalid: {detail}.',
  ],
  TST_IMPRINT: [
    'Dấu thời gian không khớp với dữ liệu được đóng dấu.',
    'The time-stamp imprint does not match the time-stamped data.',
  ],
  TST_UNTRUSTED: [
    'Chứng thư của đơn vị cấp dấu thời gian không dẫn tới CA gốc tin cậy.',
    'The time-stamping authority certificate does not chain to a trusted root.',
  ],
  TST_BEFORE_CLAIMED: [
    'Thời điểm ghi trong /M ({claimed}) muộn hơn dấu thời gian ({genTime}).',
    'The /M time ({claimed}) is later than the time-stamp ({genTime}).',
  ],
  NOT_WHOLE_DOCUMENT: [
    'Chữ ký không bao toàn bộ tài liệu; phần sau chữ ký đã được kiểm tra.',
    'The signature does not cover the whole document; later updates were checked.',
  ],
  MODIFIED_AFTER_SIGNING: [
    'Tài liệu bị sửa đổi không được phép sau khi ký: {count} thay đổi.',
    'The document was modified in a disallowed way after signing: {count} change(s).',
  ],
  ALLOWED_CHANGES: [
    'Có {count} thay đổi được phép sau khi ký (chữ ký/dấu thời gian/DSS/điền biểu mẫu).',
    '{count} allowed change(s) after signing (signatures/time-stamps/DSS/form fill-in).',
  ],
  SHADOW_ATTACK: [
    'Phát hiện dấu hiệu tấn công "shadow" kiểu {attack}.',
    'Signs of a shadow attack of type {attack}.',
  ],
  APPENDED_BYTES: [
    'Có {count} byte được nối thêm sau phiên bản cuối mà không tạo thành một bản cập nhật hợp lệ.',
    '{count} byte(s) were appended after the last revision without forming a valid update.',
  ],
  SIGNING_TIME_ATTR: [
    'Chữ ký có thuộc tính signing-time, PAdES baseline không cho phép.',
    'The signature has a signing-time attribute, which PAdES baseline forbids.',
  ],
  DETACHED_WITH_CONTENT: [
    'Chữ ký tách rời (detached) nhưng CMS lại chứa nội dung đóng gói; không thể biết chữ ký bao dữ liệu nào.',
    'A detached signature whose CMS also encapsulates content; what it signs is ambiguous.',
  ],
  ANNOTATIONS_AFTER_SIGNING: [
    'Có {count} chú thích được thêm hoặc sửa sau khi ký (không có DocMDP): nội dung ký không đổi nhưng hiển thị có thể bị che.',
    '{count} annotation(s) added or changed after signing (no DocMDP): the signed content is unchanged but may be covered.',
  ],
  CERTIFIED_NO_CHANGES: [
    'Tài liệu được chứng nhận với DocMDP P=1 (không cho phép thay đổi) nhưng có phiên bản sau đó.',
    'The document is certified with DocMDP P=1 (no changes allowed) yet has a later revision.',
  ],
  NO_SIGNATURES: ['Tài liệu không có chữ ký số.', 'The document has no digital signature.'],
  SUMMARY: ['{passed}/{total} chữ ký hợp lệ.', '{passed}/{total} signature(s) valid.'],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageCode = keyof typeof CATALOG;
export type MessageParams = Record<string, string | number>;

function fill(template: string, params: MessageParams): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function message(
  code: MessageCode,
  severity: TMessage['severity'],
  params: MessageParams = {},
): TMessage {
  const [vi, en] = CATALOG[code];
  return { code, severity, vi: fill(vi, params), en: fill(en, params) };
}

export const error = (code: MessageCode, params?: MessageParams): TMessage =>
  message(code, 'error', params);
export const warning = (code: MessageCode, params?: MessageParams): TMessage =>
  message(code, 'warning', params);
export const info = (code: MessageCode, params?: MessageParams): TMessage =>
  message(code, 'info', params);
