import { SearchOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Checkbox,
  Grid,
  Input,
  List,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState } from 'react';
import type { TUrgency } from '../../../server/src/contracts/documents';
import {
  STATUS,
  STATUS_CODES,
  type TDeliveryBrief,
  type TStatusCode,
} from '../../../server/src/contracts/exchange';
import { OverdueBadge, StatusTag, UrgencyTag } from '../components/tags';
import { UrgencySelect } from '../components/UrgencySelect';
import { useI18n } from '../i18n/i18n';
import { call, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtDate, fmtDateTime } from '../lib/format';
import { linkProps } from '../lib/router';
import { useAsync } from '../lib/useAsync';

type Filters = { q: string; status?: TStatusCode; urgency?: TUrgency; overdue: boolean };

/** The change codes are not processing statuses: no delivery stands in them. */
const CHANGES: TStatusCode[] = [STATUS.RECALLED, STATUS.CHANGE_AGREED, STATUS.CHANGE_REFUSED];

function filtered(f: Filters) {
  return {
    q: f.q.trim(),
    status: f.status,
    urgency: f.urgency,
    overdue: f.overdue ? ('true' as const) : undefined,
  };
}

export function Inbox() {
  const { t } = useI18n();
  const { events, session } = useAuth();
  const { notification } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [filters, setFilters] = useState<Filters>({ q: '', overdue: false });
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const { data, setData, loading, error, reload } = useAsync(async (): Promise<
    TDeliveryBrief[]
  > => {
    const page = await call(routes.exchange.inbox, { query: { ...filtered(filters), limit: 50 } });
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
    const page = await call(routes.exchange.inbox, { query: { ...filtered(filters), cursor } });
    setCursor(page.nextCursor);
    setData((items) => [...(items ?? []), ...page.items]);
  };

  const subjectLink = (d: TDeliveryBrief) => (
    <a {...linkProps(`/documents/${d.documentId}?delivery=${d.id}`)} data-testid="inbox-subject">
      {d.subject}
    </a>
  );
  const recallNote = (d: TDeliveryBrief) =>
    d.change?.state === 'requested' && (
      <Typography.Text type="warning" style={{ fontSize: 12 }}>
        {t('inbox.recallRequested')}
      </Typography.Text>
    );
  // the subject gets the room: the urgency sits in front of it, the other columns are narrow
  const columns: ColumnsType<TDeliveryBrief> = [
    {
      title: t('field.codeLabel'),
      dataIndex: 'codeLabel',
      width: 120,
      render: (c: string) => <Typography.Text strong>{c}</Typography.Text>,
    },
    {
      title: t('field.subject'),
      dataIndex: 'subject',
      render: (_s: string, d) => (
        <Space direction="vertical" size={0}>
          <span>
            {d.urgency !== 'thuong' && <UrgencyTag urgency={d.urgency} />}
            {subjectLink(d)}
          </span>
          {recallNote(d)}
        </Space>
      ),
    },
    { title: t('field.sender'), dataIndex: 'senderName', width: 170 },
    {
      title: t('field.receivedAt'),
      dataIndex: 'createdAt',
      width: 104,
      render: (v: string) => fmtDateTime(v),
    },
    {
      title: t('field.dueDate'),
      dataIndex: 'dueDate',
      width: 104,
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
  // on a phone each delivery is a card: subject, number, sender, status
  const cards = (
    <List<TDeliveryBrief>
      loading={loading}
      dataSource={data ?? []}
      locale={{ emptyText: t('common.empty') }}
      data-testid="inbox-cards"
      renderItem={(d) => (
        <List.Item
          key={d.id}
          data-testid="inbox-card"
          className={(fresh.has(d.id) ? 'lt-fresh' : '') + (d.overdue ? ' lt-row-overdue' : '')}
          style={{ display: 'block', paddingInline: 4 }}
        >
          <Space direction="vertical" size={2} style={{ width: '100%' }}>
            <Space wrap size={4}>
              <StatusTag code={d.status} />
              <UrgencyTag urgency={d.urgency} />
              <OverdueBadge overdue={d.overdue} />
            </Space>
            <span style={{ fontSize: 15, fontWeight: 500 }}>{subjectLink(d)}</span>
            {recallNote(d)}
            <Typography.Text>
              <Typography.Text strong>{d.codeLabel}</Typography.Text> · {d.senderName}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('field.receivedAt')}: {fmtDateTime(d.createdAt)}
              {d.dueDate ? ` · ${t('field.dueDate')}: ${fmtDate(d.dueDate)}` : ''}
            </Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );

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
          enterButton={<Button icon={<SearchOutlined />} aria-label={t('common.searchGo')} />}
          style={{ width: phone ? '100%' : 420, maxWidth: '100%' }}
          data-testid="inbox-search"
          onSearch={(q) => setFilters((f) => ({ ...f, q }))}
        />
        <Select
          allowClear
          placeholder={t('field.status')}
          style={{ width: 180 }}
          value={filters.status}
          onChange={(status?: TStatusCode) => setFilters((f) => ({ ...f, status }))}
          options={STATUS_CODES.filter((c) => !CHANGES.includes(c)).map((c) => ({
            value: c,
            label: `${c} · ${t(`status.${c}`)}`,
          }))}
          aria-label={t('field.status')}
        />
        <UrgencySelect
          value={filters.urgency}
          onChange={(urgency) => setFilters((f) => ({ ...f, urgency }))}
        />
        <Checkbox
          checked={filters.overdue}
          onChange={(e) => setFilters((f) => ({ ...f, overdue: e.target.checked }))}
        >
          {t('inbox.onlyOverdue')}
        </Checkbox>
      </Space>
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      {phone ? (
        cards
      ) : (
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
          scroll={{ x: 900 }}
        />
      )}
      {cursor && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => void loadMore()}>{t('inbox.loadMore')}</Button>
        </div>
      )}
    </Card>
  );
}
