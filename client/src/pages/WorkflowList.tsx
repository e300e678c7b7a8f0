import { Button, Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState } from 'react';
import {
  DOCUMENT_TYPES,
  type TDocument,
  type TDocumentType,
  type TUrgency,
} from '../../../server/src/contracts/documents';
import type { TWorkflowList } from '../../../server/src/contracts/workflow';
import { UrgencyTag } from '../components/tags';
import { UrgencySelect } from '../components/UrgencySelect';
import { useI18n } from '../i18n/i18n';
import { call, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtDate, fmtDateTime } from '../lib/format';
import { linkProps } from '../lib/router';
import { useAsync } from '../lib/useAsync';

type Filters = { q: string; type?: TDocumentType; urgency?: TUrgency };

/** One of the three lists of trình ký: my drafts, awaiting my signature, signed to release. */
export function WorkflowList({ list }: { list: TWorkflowList }) {
  const { t } = useI18n();
  const { events } = useAuth();
  const [filters, setFilters] = useState<Filters>({ q: '' });
  const [cursor, setCursor] = useState<string | null>(null);
  const page = (cursor?: string) =>
    call(routes.workflow.list, {
      params: { list },
      query: { q: filters.q.trim(), type: filters.type, urgency: filters.urgency, cursor },
    });
  const { data, setData, loading, error, reload } = useAsync(async () => {
    const first = await page();
    setCursor(first.nextCursor);

    return first.items;
  }, [list, filters]);
  // live: any move of a document of the organization may add to or take from this list
  useEffect(() => events?.on('workflow:changed', () => void reload()), [events, reload]);
  const loadMore = async () => {
    if (!cursor) return;
    const next = await page(cursor);
    setCursor(next.nextCursor);
    setData((items) => [...(items ?? []), ...next.items]);
  };

  const columns: ColumnsType<TDocument> = [
    {
      title: t('field.urgency'),
      width: 120,
      render: (_v, d) => <UrgencyTag urgency={d.meta.urgency} />,
    },
    {
      title: t('field.codeLabel'),
      dataIndex: 'codeLabel',
      width: 140,
      render: (c: string) => <Typography.Text strong>{c}</Typography.Text>,
    },
    {
      title: t('field.subject'),
      width: 340,
      render: (_v, d) => (
        <Space direction="vertical" size={0}>
          <a {...linkProps(`/documents/${d.id}`)} data-testid="wf-subject">
            {d.meta.subject}
          </a>
          {d.view !== 'recipient' &&
            d.workflow?.returnComment &&
            d.workflow.state === 'returned' && (
              <Typography.Text type="warning" style={{ fontSize: 12 }}>
                {t('wf.returnedWith', { comment: d.workflow.returnComment })}
              </Typography.Text>
            )}
        </Space>
      ),
    },
    { title: t('field.type'), width: 120, render: (_v, d) => d.meta.type },
    {
      title: t('wf.signer'),
      width: 160,
      render: (_v, d) => (d.view !== 'recipient' && d.workflow?.signerName) || '—',
    },
    { title: t('field.issueDate'), width: 110, render: (_v, d) => fmtDate(d.meta.issueDate) },
    {
      title: t('field.status'),
      width: 150,
      render: (_v, d) =>
        d.view !== 'recipient' && d.workflow ? (
          <Tag data-testid="wf-state">{t(`wf.state.${d.workflow.state}`)}</Tag>
        ) : null,
    },
    {
      title: t('wf.updatedAt'),
      width: 130,
      render: (_v, d) => fmtDateTime(d.updatedAt ?? d.createdAt),
    },
  ];

  return (
    <Card
      title={<span data-testid="page-title">{t(`wf.title.${list}`)}</span>}
      extra={<Button onClick={() => void reload()}>{t('common.reload')}</Button>}
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder={t('wf.searchPlaceholder')}
          aria-label={t('common.search')}
          // never wider than a phone's screen (less the page's and the card's padding)
          style={{ width: 380, maxWidth: 'calc(100vw - 64px)' }}
          data-testid="wf-search"
          onSearch={(q) => setFilters((f) => ({ ...f, q }))}
        />
        <Select
          allowClear
          placeholder={t('field.type')}
          style={{ width: 180 }}
          value={filters.type}
          onChange={(type?: TDocumentType) => setFilters((f) => ({ ...f, type }))}
          options={Object.keys(DOCUMENT_TYPES).map((k) => ({ value: k, label: k }))}
          aria-label={t('field.type')}
        />
        <UrgencySelect
          value={filters.urgency}
          onChange={(urgency) => setFilters((f) => ({ ...f, urgency }))}
        />
      </Space>
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      <Table<TDocument>
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={data ?? []}
        pagination={false}
        data-testid="wf-table"
        locale={{ emptyText: t('common.empty') }}
        scroll={{ x: 1300 }}
      />
      {cursor && (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => void loadMore()}>{t('inbox.loadMore')}</Button>
        </div>
      )}
    </Card>
  );
}

export const Drafts = () => <WorkflowList list="drafts" />;
export const ToSign = () => <WorkflowList list="to-sign" />;
export const ToRelease = () => <WorkflowList list="to-release" />;
