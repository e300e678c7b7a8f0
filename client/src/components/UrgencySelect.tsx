import { Select } from 'antd';
import { URGENCIES, type TUrgency } from '../../../server/src/contracts/documents';
import { useI18n } from '../i18n/i18n';

/** The lists' urgency filter (hỏa tốc, thượng khẩn, …); empty means any. */
export function UrgencySelect({
  value,
  onChange,
}: {
  value?: TUrgency;
  onChange: (urgency?: TUrgency) => void;
}) {
  const { t } = useI18n();

  return (
    <Select
      allowClear
      placeholder={t('field.urgency')}
      style={{ width: 160 }}
      value={value}
      onChange={onChange}
      options={URGENCIES.map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
      aria-label={t('field.urgency')}
    />
  );
}
