/**
 * The hub's one error vocabulary. A code names what went wrong; the table gives the HTTP status
 * and a Vietnamese/English title. Services throw AppError; server/src/http/problem.ts turns it
 * (and library, parser and driver errors) into application/problem+json in one place.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, vi: 'Dữ liệu không hợp lệ', en: 'Invalid input' },
  MALFORMED_JSON: { status: 400, vi: 'JSON không đúng cú pháp', en: 'Malformed JSON' },
  UNAUTHENTICATED: { status: 401, vi: 'Chưa đăng nhập', en: 'Authentication required' },
  FORBIDDEN: { status: 403, vi: 'Không có quyền', en: 'Forbidden' },
  NOT_FOUND: { status: 404, vi: 'Không tìm thấy', en: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, vi: 'Không có đường dẫn này', en: 'No such route' },
  CONFLICT: { status: 409, vi: 'Xung đột dữ liệu', en: 'Conflict' },
  INVALID_STATE: { status: 409, vi: 'Trạng thái không cho phép', en: 'Invalid state' },
  PAYLOAD_TOO_LARGE: { status: 413, vi: 'Dữ liệu quá lớn', en: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    vi: 'Kiểu dữ liệu không được hỗ trợ',
    en: 'Unsupported media type',
  },
  UNPROCESSABLE: { status: 422, vi: 'Không xử lý được tệp', en: 'Unprocessable content' },
  RATE_LIMITED: { status: 429, vi: 'Quá nhiều yêu cầu', en: 'Too many requests' },
  INTERNAL: { status: 500, vi: 'Lỗi hệ thống', en: 'Internal error' },
  UNAVAILABLE: { status: 503, vi: 'Dịch vụ tạm thời không sẵn sàng', en: 'Service unavailable' },
  INSUFFICIENT_STORAGE: { status: 507, vi: 'Hết dung lượng lưu trữ', en: 'Insufficient storage' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, detail: string, extra?: Record<string, unknown>) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.extra = extra;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}
