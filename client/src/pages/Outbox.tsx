import { Button, Card, Empty, Input, List, Modal, Space, Tag, Typography, App } from 'antd';
import { useEffect, useState } from 'react';
import {
  CHANGE_STATUS,
  CLOSED,
  type TDelivery,
  type TDispatch,
} from '../../../server/src/contracts/exchange';
import { ChangeTag, OverdueBadge, StatusTag, UrgencyTag } from '../components/tags';
import { useI18n } from '../i18n/i18n';
import { call, errorText, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtDateTime } from '../lib/format';
import { linkProps } from '../lib/router';
import { useAsync } from '../lib/useAsync';

/** The reason of the latest 02/16 in a delivery's history, to show next to the status. */
export function statusReason(d: TDelivery): string | undefined {
  const last = [...d.history].reverse().find((h) => h.code === d.status);

  return last?.reason;
}

/** A recipient's line: its status tags stay short; a rejection or recall reason wraps below. */
function RecipientRow({ d }: { d: TDelivery }) {
  const { t } = useI18n();
  const reason = statusReason(d);
  const changeReason = d.change
    ? [...d.history].reverse().find((h) => h.code === CHANGE_STATUS[d.change!.state])?.reason
    : undefined;

  return (
    <div style={{ padding: '4px 0' }} data-testid="outbox-recipient" data-delivery={d.id}>
      <div
        style={{
          display: 'flex',
          justifyContent: 'space-between',
          gap: 8,
          flexWrap: 'wrap',
          alignItems: 'center',
        }}
      >
        <span style={{ minWidth: 0, overflowWrap: 'anywhere' }}>{d.recipientName}</span>
        <Space size={4} wrap>
          <OverdueBadge overdue={d.overdue} />
          <StatusTag code={d.status} reason={reason} short />
          <ChangeTag d={d} short />
        </Space>
      </div>
      {[reason, changeReason]
        .filter((r): r is string => !!r)
        .map((r, i) => (
          <Typography.Paragraph
            key={i}
            type="secondary"
            style={{ margin: 0, fontSize: 13, overflowWrap: 'anywhere' }}
            data-testid="outbox-reason"
          >
            {t('outbox.reason', { reason: r })}
          </Typography.Paragraph>
        ))}
    </div>
  );
}

export function Outbox() {
  const { t } = useI18n();
  const { events } = useAuth();
  const { message } = App.useApp();
  const [recall, setRecall] = useState<TDispatch | null>(null);
  const [reason, setReason] = useState('');
  const { data, setData, loading, error, reload } = useAsync(async () => {
    const page = await call(routes.exchange.outbox, { query: { limit: 30 } });

    // the list carries counts only; the recipients' own statuses come with each dispatch
    return Promise.all(page.items.map((d) => call(routes.exchange.dispatchOf, { params: d })));
  }, []);

  useEffect(() => {
    if (!events) return;
    const offs = [
      events.on('delivery:status', (e) => {
        const ev = e.data;
        setData((list) =>
          list?.map((disp) =>
            disp.id !== ev.dispatchId
              ? disp
              : {
                  ...disp,
                  deliveries: disp.deliveries?.map((d) =>
                    d.id !== ev.deliveryId
                      ? d
                      : {
                          ...d,
                          status: ev.code,
                          overdue: d.overdue && !CLOSED.includes(ev.code),
                          history: [
                            ...d.history,
                            {
                              code: ev.code,
                              at: ev.at,
                              actorId: '',
                              actorName: ev.actorName,
                              orgId: ev.recipientOrgId,
                              reason: ev.reason,
                              receipt: ev.receipt,
                            },
                          ],
                        },
                  ),
                },
          ),
        );
      }),
      events.on('dispatch:recalled', () => void reload()),
    ];

    return () => offs.forEach((off) => off());
  }, [events, setData, reload]);

  const doRecall = async () => {
    if (!recall) return;
    try {
      await call(routes.exchange.recall, { params: recall, body: { reason } });
      message.success(t('outbox.recallDone'));
      setRecall(null);
      setReason('');
      void reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <Card
      title={<span data-testid="page-title">{t('outbox.title')}</span>}
      extra={<Button onClick={() => void reload()}>{t('common.reload')}</Button>}
    >
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      <List<TDispatch>
        loading={loading}
        dataSource={data ?? []}
        locale={{ emptyText: <Empty description={t('common.empty')} /> }}
        renderItem={(disp) => {
          const first = disp.deliveries?.[0];

          return (
            <List.Item key={disp.id} data-testid="outbox-dispatch" style={{ display: 'block' }}>
              <div
                style={{
                  display: 'flex',
                  justifyContent: 'space-between',
                  gap: 16,
                  flexWrap: 'wrap',
                }}
              >
                <Space direction="vertical" size={2} style={{ flex: '1 1 300px', minWidth: 0 }}>
                  <Space>
                    {first && <UrgencyTag urgency={first.urgency} />}
                    <Typography.Text strong>{first?.codeLabel}</Typography.Text>
                    {disp.recalled && <Tag color="volcano">{t('outbox.recalled')}</Tag>}
                  </Space>
                  <a {...linkProps(`/documents/${disp.documentId}`)}>
                    {first?.subject ?? disp.documentId}
                  </a>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('field.sentAt')}: {fmtDateTime(disp.createdAt)} · {disp.createdBy} ·{' '}
                    {t('outbox.recipientsCount', { n: disp.recipients.length })}
                  </Typography.Text>
                  {!disp.recalled && (
                    <Button
                      size="small"
                      danger
                      style={{ width: 'fit-content' }}
                      onClick={() => setRecall(disp)}
                    >
                      {t('outbox.recall')}
                    </Button>
                  )}
                </Space>
                <div style={{ flex: '1 1 300px', minWidth: 0 }}>
                  {(disp.deliveries ?? []).map((d) => (
                    <RecipientRow key={d.id} d={d} />
                  ))}
                </div>
              </div>
            </List.Item>
          );
        }}
      />
      <Modal
        open={recall !== null}
        title={t('outbox.recall')}
        onCancel={() => setRecall(null)}
        onOk={() => void doRecall()}
        okButtonProps={{ danger: true, disabled: reason.trim().length < 3 }}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
      >
        <Input.TextArea
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder={t('outbox.recallReason')}
          aria-label={t('outbox.recallReason')}
        />
      </Modal>
    </Card>
  );
}
