import { App, Button, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import type { TUser } from '../../../server/src/contracts/auth';
import {
  nextActions,
  STATUS,
  type TDelivery,
  type TStatusChange,
} from '../../../server/src/contracts/exchange';
import { useI18n } from '../i18n/i18n';
import { call, errorText, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { ChangeTag, StatusTag } from './tags';

type Ask =
  | { code: typeof STATUS.REJECTED | typeof STATUS.CHANGE_REFUSED; title: string }
  | { code: typeof STATUS.ASSIGNED }
  | null;
const { REJECTED, ACCEPTED, ASSIGNED, PROCESSING, COMPLETED, CHANGE_AGREED, CHANGE_REFUSED } =
  STATUS;

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
      await call(routes.exchange.changeStatus, { params: delivery, body });
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
    setAsk({ code: ASSIGNED });
    // only organization admins may list users; others assign to themselves
    const list = await call(routes.users.list).catch((): TUser[] => []);
    setUsers(list.length ? list : session ? [session.user] : []);
    setAssignee(session?.user.id);
  };
  const s = delivery.status;
  const next = new Set(nextActions(delivery));
  const recall = next.has(CHANGE_AGREED);

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
          {next.has(ACCEPTED) && (
            <Button type="primary" loading={busy} onClick={() => void change({ code: ACCEPTED })}>
              {t('actions.accept')}
            </Button>
          )}
          {next.has(REJECTED) && (
            <Button
              danger
              onClick={() => setAsk({ code: REJECTED, title: t('actions.rejectReason') })}
            >
              {t('actions.reject')}
            </Button>
          )}
          {next.has(ASSIGNED) && (
            <Button onClick={() => void openAssign()}>{t('actions.assign')}</Button>
          )}
          {next.has(PROCESSING) && (
            <Button type="primary" loading={busy} onClick={() => void change({ code: PROCESSING })}>
              {t('actions.processing')}
            </Button>
          )}
          {next.has(COMPLETED) && (
            <Button type="primary" loading={busy} onClick={() => void change({ code: COMPLETED })}>
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
            <Button loading={busy} onClick={() => void change({ code: CHANGE_AGREED })}>
              {t('actions.agreeChange')}
            </Button>
            <Button
              danger
              onClick={() => setAsk({ code: CHANGE_REFUSED, title: t('actions.refuseReason') })}
            >
              {t('actions.refuseChange')}
            </Button>
          </Space>
        </Space>
      )}
      <Modal
        open={ask !== null}
        title={ask?.code === ASSIGNED ? t('actions.assign') : ask?.title}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onCancel={() => setAsk(null)}
        okButtonProps={{ disabled: ask?.code === ASSIGNED ? !assignee : reason.trim().length < 3 }}
        onOk={() => {
          if (ask?.code === ASSIGNED && assignee)
            void change({ code: ASSIGNED, assigneeId: assignee });
          else if (ask && ask.code !== ASSIGNED) void change({ code: ask.code, reason });
        }}
      >
        {ask?.code === ASSIGNED ? (
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
            aria-label={ask?.code === REJECTED || ask?.code === CHANGE_REFUSED ? ask.title : ''}
            placeholder={t('actions.reasonMin')}
          />
        )}
      </Modal>
    </Space>
  );
}
