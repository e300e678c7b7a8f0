import { App, Button, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import type { TUser } from '../../../server/src/contracts/auth';
import type { TDelivery, TStatusChange } from '../../../server/src/contracts/exchange';
import { useI18n } from '../i18n/i18n';
import { errorText, get, post } from '../lib/api';
import { useAuth } from '../lib/auth';
import { ChangeTag, StatusTag } from './tags';

type Ask = { code: '02' | '16'; title: string } | { code: '04' } | null;

/** What the recipient may do next, from the delivery's status (the hub checks again). */
export function DeliveryActions({
  delivery,
  onChanged,
}: {
  delivery: TDelivery;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { session } = useAuth();
  const [ask, setAsk] = useState<Ask>(null);
  const [reason, setReason] = useState('');
  const [assignee, setAssignee] = useState<string | undefined>();
  const [users, setUsers] = useState<TUser[]>([]);
  const [busy, setBusy] = useState(false);
  const mine = delivery.recipientOrgId === session?.user.orgId;

  const change = async (body: TStatusChange) => {
    setBusy(true);
    try {
      await post(`/deliveries/${delivery.id}/status`, body);
      message.success(t('actions.done', { status: t(`status.${body.code}`) }));
      setAsk(null);
      setReason('');
      onChanged();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const openAssign = async () => {
    setAsk({ code: '04' });
    // only organization admins may list users; others assign to themselves
    const list = await get<TUser[]>('/users').catch(() => [] as TUser[]);
    setUsers(list.length ? list : session ? [session.user] : []);
    setAssignee(session?.user.id);
  };
  const s = delivery.status;
  const recall = delivery.change?.state === 'requested';

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space data-testid="delivery-status" size={4} wrap>
        <StatusTag
          code={s}
          reason={[...delivery.history].reverse().find((h) => h.code === s)?.reason}
        />
        <ChangeTag d={delivery} />
      </Space>
      {mine && (
        <Space wrap>
          {s === '01' && (
            <>
              <Button type="primary" loading={busy} onClick={() => void change({ code: '03' })}>
                {t('actions.accept')}
              </Button>
              <Button
                danger
                onClick={() => setAsk({ code: '02', title: t('actions.rejectReason') })}
              >
                {t('actions.reject')}
              </Button>
            </>
          )}
          {s === '03' && <Button onClick={() => void openAssign()}>{t('actions.assign')}</Button>}
          {(s === '03' || s === '04') && (
            <Button type="primary" loading={busy} onClick={() => void change({ code: '05' })}>
              {t('actions.processing')}
            </Button>
          )}
          {s === '05' && (
            <Button type="primary" loading={busy} onClick={() => void change({ code: '06' })}>
              {t('actions.complete')}
            </Button>
          )}
        </Space>
      )}
      {mine && recall && (
        <Space direction="vertical">
          <Typography.Text type="warning">
            {t('inbox.recallRequested')}
            {delivery.change?.reason ? `: ${delivery.change.reason}` : ''}
          </Typography.Text>
          <Space>
            <Button loading={busy} onClick={() => void change({ code: '15' })}>
              {t('actions.agreeChange')}
            </Button>
            <Button danger onClick={() => setAsk({ code: '16', title: t('actions.refuseReason') })}>
              {t('actions.refuseChange')}
            </Button>
          </Space>
        </Space>
      )}
      <Modal
        open={ask !== null}
        title={ask?.code === '04' ? t('actions.assign') : ask?.title}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onCancel={() => setAsk(null)}
        okButtonProps={{ disabled: ask?.code === '04' ? !assignee : reason.trim().length < 3 }}
        onOk={() => {
          if (ask?.code === '04' && assignee) void change({ code: '04', assigneeId: assignee });
          else if (ask && ask.code !== '04') void change({ code: ask.code, reason });
        }}
      >
        {ask?.code === '04' ? (
          <Select
            style={{ width: '100%' }}
            value={assignee}
            onChange={setAssignee}
            aria-label={t('actions.assignee')}
            options={users.map((u) => ({
              value: u.id,
              label: `${u.fullName}${u.id === session?.user.id ? ` (${t('actions.assignSelf')})` : ''}`,
            }))}
          />
        ) : (
          <Input.TextArea
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-label={ask?.code === '02' || ask?.code === '16' ? ask.title : ''}
            placeholder={t('actions.reasonMin')}
          />
        )}
      </Modal>
    </Space>
  );
}
