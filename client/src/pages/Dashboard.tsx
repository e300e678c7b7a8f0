import { DownloadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  List,
  Modal,
  Row,
  Select,
  Space,
  Statistic,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { TDelivery } from '../../../server/src/contracts/exchange';
import type { TOrg } from '../../../server/src/contracts/orgs';
import type {
  TFigure,
  TStatsItems,
  TStatsSeries,
  TStatsSummary,
} from '../../../server/src/contracts/stats';
import { RevalidationCard } from '../components/RevalidationCard';
import { useI18n } from '../i18n/i18n';
import { apiFetch, errorText, get, query } from '../lib/api';
import { useAuth } from '../lib/auth';
import { DATE_FORMAT, dayjs } from '../lib/format';
import { linkProps } from '../lib/router';
import { useAsync } from '../lib/useAsync';

export const STATS_ENDPOINT = '/api/v1/stats/summary';

const pct = (f?: TFigure) =>
  f?.value === null || f?.value === undefined ? null : Math.round(f.value * 1000) / 10;
const num = (f?: TFigure) => f?.value ?? 0;

type Drill = { title: string; path: string } | null;

/** The ids behind a figure, shown as links to the documents. */
function DrillDown({ drill, onClose }: { drill: Drill; onClose: () => void }) {
  const { t } = useI18n();
  const { data, loading, error } = useAsync(async () => {
    if (!drill) return [];
    const items = await get<TStatsItems>(drill.path.replace(/^\/api\/v1/, ''));
    if (items.kind === 'document')
      return items.ids.slice(0, 50).map((id) => ({ id, documentId: id, label: id }));
    const ds = await Promise.all(
      items.ids.slice(0, 50).map((id) => get<TDelivery>(`/deliveries/${id}`).catch(() => null)),
    );

    return ds
      .filter((d): d is TDelivery => d !== null)
      .map((d) => ({
        id: d.id,
        documentId: d.documentId,
        label: `${d.codeLabel} — ${d.subject} (${d.recipientName})`,
      }));
  }, [drill]);

  return (
    <Modal open={drill !== null} title={drill?.title} onCancel={onClose} footer={null} width={720}>
      {error && <Alert type="error" message={error} />}
      <List
        loading={loading}
        dataSource={data ?? []}
        locale={{ emptyText: t('common.empty') }}
        renderItem={(i) => (
          <List.Item>
            <a {...linkProps(`/documents/${i.documentId}`)}>{i.label}</a>
          </List.Item>
        )}
      />
    </Modal>
  );
}

function Kpi({
  figure,
  title,
  onDrill,
}: {
  figure?: TFigure;
  title: string;
  onDrill: (f: TFigure) => void;
}) {
  const isRatio = figure?.unit === 'ratio';
  const value = isRatio ? pct(figure) : num(figure);

  return (
    <Card
      hoverable={!!figure?.drillDown}
      onClick={() => figure?.drillDown && onDrill(figure)}
      data-testid={`kpi-${figure?.key ?? 'none'}`}
    >
      <Statistic
        title={title}
        value={value ?? '—'}
        suffix={isRatio && value !== null ? '%' : undefined}
      />
      {isRatio && figure && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {figure.numerator ?? 0}/{figure.denominator ?? 0}
        </Typography.Text>
      )}
    </Card>
  );
}

export function Dashboard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { session } = useAuth();
  const [orgId, setOrgId] = useState<string | undefined>(session?.user.orgId);
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().startOf('year'), dayjs()]);
  const [drill, setDrill] = useState<Drill>(null);
  const params = { orgId, from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') };
  const orgs = useAsync(() => get<TOrg[]>('/orgs').catch(() => [] as TOrg[]), []);
  const stats = useAsync(async () => {
    const [summary, series] = await Promise.all([
      get<TStatsSummary>(`/stats/summary${query(params)}`),
      get<TStatsSeries>(`/stats/series${query({ ...params, period: 'month' })}`),
    ]);
    // volumes of the organizations directly below, for the per-organization chart
    const children = (orgs.data ?? []).filter((o) => o.parentId === summary.orgId).slice(0, 12);
    const perOrg = await Promise.all(
      children.map(async (o) => {
        const s = await get<TStatsSummary>(
          `/stats/summary${query({ ...params, orgId: o.id })}`,
        ).catch(() => null);

        return {
          org: o.shortName ?? o.name,
          sent: num(s?.figures.deliveriesSent),
          received: num(s?.figures.deliveriesReceived),
        };
      }),
    );

    return { summary, series, perOrg };
  }, [orgId, range[0].valueOf(), range[1].valueOf(), orgs.data]);
  const exportCsv = async () => {
    try {
      const res = await apiFetch(
        'GET',
        `/stats/series${query({ ...params, period: 'month' })}`,
        undefined,
        { headers: { accept: 'text/csv' } },
      );
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await res.blob());
      a.download = `thong-ke-${params.from}-${params.to}.csv`;
      a.click();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const f = stats.data?.summary.figures;
  const months = (stats.data?.series.buckets ?? []).map((b) => ({
    month: dayjs(b.start).format('MM/YYYY'),
    sent: num(b.figures.deliveriesSent),
    received: num(b.figures.deliveriesReceived),
    onTime: pct(b.figures.onTimeRate),
    seal: pct(b.figures.sealSignatureRate),
  }));
  const onDrill = (fig: TFigure) =>
    fig.drillDown && setDrill({ title: fig.label, path: fig.drillDown });

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={<span data-testid="page-title">{t('dash.title')}</span>}
        extra={
          <Space wrap>
            <Select
              showSearch
              optionFilterProp="label"
              style={{ width: 280 }}
              value={orgId}
              onChange={setOrgId}
              options={(orgs.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
              aria-label={t('dash.org')}
            />
            <DatePicker.RangePicker
              format={DATE_FORMAT}
              value={range}
              onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
              allowClear={false}
            />
            <Button icon={<DownloadOutlined />} onClick={() => void exportCsv()}>
              {t('dash.exportCsv')}
            </Button>
          </Space>
        }
      >
        {stats.error && (
          <Alert
            type="warning"
            showIcon
            message={stats.error}
            description={t('dash.unavailable', { endpoint: STATS_ENDPOINT })}
          />
        )}
        <Row gutter={[16, 16]}>
          <Col xs={12} lg={6}>
            <Kpi figure={f?.sealSignatureRate} title={t('dash.signatureRate')} onDrill={onDrill} />
          </Col>
          <Col xs={12} lg={6}>
            <Kpi figure={f?.onTimeRate} title={t('dash.onTimeRate')} onDrill={onDrill} />
          </Col>
          <Col xs={12} lg={6}>
            <Kpi figure={f?.deliveriesSent} title={t('dash.sent')} onDrill={onDrill} />
          </Col>
          <Col xs={12} lg={6}>
            <Kpi figure={f?.deliveriesReceived} title={t('dash.received')} onDrill={onDrill} />
          </Col>
        </Row>
      </Card>
      <RevalidationCard
        orgId={orgId}
        from={params.from}
        to={params.to}
        figure={f?.stillValidRate}
        onDone={() => void stats.reload()}
        onDrill={onDrill}
      />
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card title={t('dash.volume')} size="small">
            <div style={{ height: 280 }} data-testid="chart-volume">
              <ResponsiveContainer>
                <BarChart data={months}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="month" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="sent" name={t('dash.sent')} fill="#0b4f9c" />
                  <Bar dataKey="received" name={t('dash.received')} fill="#13a8a8" />
                </BarChart>
              </ResponsiveContainer>
            </div>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={`${t('dash.onTimeRate')} · ${t('dash.signatureRate')} (%)`} size="small">
            <div style={{ height: 280 }}>
              <ResponsiveContainer>
                <LineChart data={months}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="month" />
                  <YAxis domain={[0, 100]} />
                  <Tooltip />
                  <Legend />
                  <Line
                    dataKey="onTime"
                    name={t('dash.onTimeRate')}
                    stroke="#52c41a"
                    connectNulls
                  />
                  <Line
                    dataKey="seal"
                    name={t('dash.signatureRate')}
                    stroke="#c41d7f"
                    connectNulls
                  />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </Card>
        </Col>
      </Row>
      {(stats.data?.perOrg.length ?? 0) > 0 && (
        <Card title={t('dash.perOrg')} size="small">
          <div style={{ height: 300 }}>
            <ResponsiveContainer>
              <BarChart data={stats.data?.perOrg} layout="vertical" margin={{ left: 120 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis type="number" allowDecimals={false} />
                <YAxis type="category" dataKey="org" width={200} />
                <Tooltip />
                <Legend />
                <Bar dataKey="sent" name={t('dash.sent')} fill="#0b4f9c" />
                <Bar dataKey="received" name={t('dash.received')} fill="#13a8a8" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </Card>
      )}
      {f && (
        <Card size="small" title={t('verify.messages')}>
          <List
            size="small"
            dataSource={Object.values(f).filter((x) => x.computed && x.unit !== 'ms')}
            renderItem={(x) => (
              <List.Item
                actions={
                  x.drillDown
                    ? [
                        <a key="d" onClick={() => onDrill(x)}>
                          {t('common.open')}
                        </a>,
                      ]
                    : []
                }
              >
                <Typography.Text>{x.label}</Typography.Text>
                <Typography.Text strong>
                  {x.unit === 'ratio' ? (pct(x) === null ? '—' : `${pct(x)}%`) : (x.value ?? '—')}
                </Typography.Text>
              </List.Item>
            )}
          />
        </Card>
      )}
      <DrillDown drill={drill} onClose={() => setDrill(null)} />
    </Space>
  );
}
