import { Badge, Tag } from 'antd';
import type { TUrgency } from '../../../server/src/contracts/documents';
import type { TDelivery, TStatusCode } from '../../../server/src/contracts/exchange';
import { useI18n } from '../i18n/i18n';

/** Hỏa tốc red, thượng khẩn orange, khẩn gold; a normal document needs no colour. */
const URGENCY_COLOURS: Record<TUrgency, string | undefined> = {
  hoa_toc: 'red',
  thuong_khan: 'orange',
  khan: 'gold',
  thuong: undefined,
};

export function UrgencyTag({ urgency }: { urgency: TUrgency }) {
  const { t } = useI18n();
  const colour = URGENCY_COLOURS[urgency];

  return (
    <Tag color={colour} data-urgency={urgency} bordered={colour !== undefined}>
      {t(`urgency.${urgency}`)}
    </Tag>
  );
}

const STATUS_COLOURS: Partial<Record<TStatusCode, string>> = {
  '01': 'blue',
  '02': 'red',
  '03': 'cyan',
  '04': 'geekblue',
  '05': 'purple',
  '06': 'green',
  '13': 'volcano',
  '15': 'lime',
  '16': 'magenta',
};

/**
 * A delivery status. `short`: the reason only as a tooltip — in lists a reason runs long and is
 * shown beside the tag instead (Outbox).
 */
export function StatusTag({
  code,
  reason,
  short,
}: {
  code: TStatusCode;
  reason?: string;
  short?: boolean;
}) {
  const { t } = useI18n();

  return (
    <Tag color={STATUS_COLOURS[code]} data-status={code} title={reason}>
      {code} · {t(`status.${code}`)}
      {reason && !short ? ` — ${reason}` : ''}
    </Tag>
  );
}

export function OverdueBadge({ overdue }: { overdue: boolean }) {
  const { t } = useI18n();
  if (!overdue) return null;

  return <Badge status="error" text={t('inbox.overdue')} className="lt-overdue" />;
}

/**
 * A recall/update request and its answer (13, then 15 or 16) live beside the processing status:
 * the hub keeps the status and records the answer in `change` and the history.
 */
export function ChangeTag({ d, short }: { d: TDelivery; short?: boolean }) {
  if (!d.change) return null;
  const code = ({ requested: '13', agreed: '15', refused: '16' } as const)[d.change.state];
  if (!code) return null;
  const reason = [...d.history].reverse().find((h) => h.code === code)?.reason;

  return <StatusTag code={code} reason={reason} short={short} />;
}
