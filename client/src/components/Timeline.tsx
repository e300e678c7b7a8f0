import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { Empty, Timeline, Tooltip, Typography } from 'antd';
import {
  STATUS,
  type TDelivery,
  type TReceiptCheck,
  type TStatusCode,
} from '../../../server/src/contracts/exchange';
import { useI18n } from '../i18n/i18n';
import { fmtDateTime } from '../lib/format';
import { StatusTag } from './tags';

export type ReceiptCheck = Pick<TReceiptCheck, 'code' | 'at' | 'valid'>;

const COLOURS: Partial<Record<TStatusCode, string>> = {
  [STATUS.REJECTED]: 'red',
  [STATUS.COMPLETED]: 'green',
  [STATUS.RECALLED]: 'red',
  [STATUS.CHANGE_REFUSED]: 'red',
};

/** Every delivery's history as one timeline, oldest first, each step with its receipt's check. */
export function DeliveryTimeline({
  deliveries,
  receipts,
}: {
  deliveries: TDelivery[];
  receipts: Record<string, ReceiptCheck[]>;
}) {
  const { t } = useI18n();
  if (deliveries.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('doc.noTimeline')} />;
  const steps = deliveries
    .flatMap((d) => d.history.map((h) => ({ d, h })))
    .sort((a, b) => a.h.at.localeCompare(b.h.at));

  return (
    <Timeline
      data-testid="timeline"
      items={steps.map(({ d, h }) => {
        const check = receipts[d.id]?.find((r) => r.code === h.code && r.at === h.at);

        return {
          color: COLOURS[h.code] ?? 'blue',
          children: (
            <div>
              <div>
                <StatusTag code={h.code} />
                <Typography.Text>{d.recipientName}</Typography.Text>
                {check && (
                  <Tooltip title={check.valid ? t('doc.receiptValid') : t('doc.receiptInvalid')}>
                    <span
                      style={{ marginLeft: 6 }}
                      aria-label={check.valid ? t('doc.receiptValid') : t('doc.receiptInvalid')}
                    >
                      {check.valid ? (
                        <CheckCircleTwoTone twoToneColor="#52c41a" />
                      ) : (
                        <CloseCircleTwoTone twoToneColor="#f5222d" />
                      )}
                    </span>
                  </Tooltip>
                )}
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {fmtDateTime(h.at)} · {h.actorName}
                {h.reason ? ` · ${h.reason}` : ''}
                {h.note ? ` · ${h.note}` : ''}
              </Typography.Text>
            </div>
          ),
        };
      })}
    />
  );
}
