import { Button, Card, Checkbox, Input, Select, Space, Table, Typography, App } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState } from 'react';
import type { Page } from '../../../server/src/contracts/common';
import { URGENCIES } from '../../../server/src/contracts/documents';
import { STATUS_CODES, type TDeliveryBrief } from '../../../server/src/contracts/exchange';
import { OverdueBadge, StatusTag, UrgencyTag } from '../components/tags';
import { useI18n } from '../i18n/i18n';
import { get, query } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtDate, fmtDateTime } from '../lib/format';
import { linkProps } from '../lib/router';
import { useAsync } from '../lib/useAsync';

type Filters = { q: string; status?: string; urgency?: string; overdue: boolean };

export function Inbox() {
  const { t } = useI18n();
  const { events, session } = useAuth();
  const { notification } = App.useApp();
  const [filters, setFilters] = useState<Filters>({ q: '', overdue: false });
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const { data, setData, loading, error, reload } = useAsync(async () => {
    const page = await get<Page<TDeliveryBrief>>(
      `/inbox${query({
        q: filters.q.trim(),
        status: filters.status,
        urgency: filters.urgency,
        overdue: filters.overdue ? 'true' : undefined,
        limit: 50,
      })}`,
    );
    setCursor(page.nextCursor);

    return page.items;
  }, [filters]);

  useEffect(() => {
    if (!events) return;
    const offs = [
      events.on('document:incoming', (e) => {
        const d = e.data.delivery;
        if (d.recipientOrgId !== session?.user.orgId) return;
        setData((items) => (items?.some((x) => x.id === d.id) ? items : [d, ...(items ?? [])]));
        setFresh((s) => new Set(s).add(d.id));
        notification.info({
          message: t('inbox.newArrived', { subject: d.subject }),
          placement: 'bottomRight',
        });
      }),
      events.on('delivery:status', (e) => {
        setData((items) =>
          items?.map((x) => (x.id === e.data.deliveryId ? { ...x, status: e.data.code } : x)),
        );
      }),
      events.on('dispatch:recalled', () => void reload()),
      events.on('document:updated', () => void reload()),
    ];

    return () => offs.forEach((off) => off());
  }, [events, setData, reload, session, notification, t]);

  const loadMore = async () => {
    if (!cursor) return;
    const page = await get<Page<TDeliveryBrief>>(
      `/inbox${query({ q: filters.q.trim(), status: filters.status, urgency: filters.urgency, overdue: filters.overdue ? 'true' : undefined, cursor })}`,
    );
    setCursor(page.nextCursor);
    setData((items) => [...(items ?? []), ...page.items]);
  };

  const columns: ColumnsType<TDeliveryBrief> = [
    {
      title: t('field.urgency'),
      dataIndex: 'urgency',
      width: 120,
      render: (u: TDeliveryBrief['urgency']) => <UrgencyTag urgency={u} />,
    },
    {
      title: t('field.codeLabel'),
      dataIndex: 'codeLabel',
      width: 140,
      render: (c: string) => <Typography.Text strong>{c}</Typography.Text>,
    },
    {
      title: t('field.subject'),
      dataIndex: 'subject',
      render: (s: string, d) => (
        <Space direction="vertical" size={0}>
          <a
            {...linkProps(`/documents/${d.documentId}?delivery=${d.id}`)}
            data-testid="inbox-subject"
          >
            {s}
          </a>
          {d.change?.state === 'requested' && (
            <Typography.Text type="warning" style={{ fontSize: 12 }}>
              {t('inbox.recallRequested')}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: t('field.sender'), dataIndex: 'senderName', width: 220 },
    {
      title: t('field.receivedAt'),
      dataIndex: 'createdAt',
      width: 140,
      render: (v: string) => fmtDateTime(v),
    },
    {
      title: t('field.dueDate'),
      dataIndex: 'dueDate',
      width: 130,
      render: (v: string | null, d) => (
        <Space direction="vertical" size={0}>
          <span>{fmtDate(v)}</span>
          <OverdueBadge overdue={d.overdue} />
        </Space>
      ),
    },
    {
      title: t('field.status'),
      dataIndex: 'status',
      width: 150,
      render: (c: TDeliveryBrief['status']) => <StatusTag code={c} />,
    },
  ];

  return (
    <Card
      title={<span data-testid="page-title">{t('inbox.title')}</span>}
      extra={<Button onClick={() => void reload()}>{t('common.reload')}</Button>}
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder={t('inbox.searchPlaceholder')}
          aria-label={t('common.search')}
          style={{ width: 420 }}
          data-testid="inbox-search"
          onSearch={(q) => setFilters((f) => ({ ...f, q }))}
        />
        <Select
          allowClear
          placeholder={t('field.status')}
          style={{ width: 180 }}
          value={filters.status}
          onChange={(status?: string) => setFilters((f) => ({ ...f, status }))}
          options={STATUS_CODES.filter((c) => !['13', '15', '16'].includes(c)).map((c) => ({
            value: c,
            label: `${c} · ${t(`status.${c}`)}`,
          }))}
          aria-label={t('field.status')}
        />
        <Select
          allowClear
          placeholder={t('field.urgency')}
          style={{ width: 160 }}
          value={filters.urgency}
          onChange={(urgency?: string) => setFilters((f) => ({ ...f, urgency }))}
          options={URGENCIES.map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
          aria-label={t('field.urgency')}
        />
        <Checkbox
          checked={filters.overdue}
          onChange={(e) => setFilters((f) => ({ ...f, overdue: e.target.checked }))}
        >
          {t('inbox.onlyOverdue')}
        </Checkbox>
      </Space>
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      <Table<TDeliveryBrief>
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={data ?? []}
        pagination={false}
        data-testid="inbox-table"
        rowClassName={(d) =>
          (fresh.has(d.id) ? 'lt-fresh' : '') + (d.overdue ? ' lt-row-overdue' : '')
        }
        locale={{ emptyText: t('common.empty') }}
        scroll={{ x: 1000 }}
      />
      {cursor && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => void loadMore()}>{t('inbox.loadMore')}</Button>
        </div>
      )}
    </Card>
  );
}
