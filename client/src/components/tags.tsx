import { Badge, Tag } from 'antd';
import type { TUrgency } from '../../../server/src/contracts/documents';
import {
  CHANGE_STATUS,
  STATUS,
  type TDelivery,
  type TStatusCode,
} from '../../../server/src/contracts/exchange';
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
  [STATUS.ARRIVED]: 'blue',
  [STATUS.REJECTED]: 'red',
  [STATUS.ACCEPTED]: 'cyan',
  [STATUS.ASSIGNED]: 'geekblue',
  [STATUS.PROCESSING]: 'purple',
  [STATUS.COMPLETED]: 'green',
  [STATUS.RECALLED]: 'volcano',
  [STATUS.CHANGE_AGREED]: 'lime',
  [STATUS.CHANGE_REFUSED]: 'magenta',
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
  const code = CHANGE_STATUS[d.change.state];
  if (!code) return null;
  const reason = [...d.history].reverse().find((h) => h.code === code)?.reason;

  return <StatusTag code={code} reason={reason} short={short} />;
}
