/**
 * Lower case without Vietnamese diacritics, so "hoang hoa" finds "Hoằng Hóa". Shared by the
 * server (stored search fields) and the web client (local filtering), so both fold alike.
 */
export function foldVietnamese(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}
