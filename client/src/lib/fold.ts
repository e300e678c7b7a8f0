import { foldVietnamese as fold } from '../../../server/src/contracts/text';

/** Lower case without diacritics, so "hoang hoa" matches "Hoằng Hóa" (the server folds the same way). */
export function foldVietnamese(s: string): string {
  return fold(s).trim();
}
