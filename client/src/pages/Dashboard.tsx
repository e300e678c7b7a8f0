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
  Tabs,
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
import type { TDocument } from '../../../server/src/contracts/documents';
import type { TDelivery } from '../../../server/src/contracts/exchange';
import { isHubOrg } from '../../../server/src/contracts/grants';
import type { TOrg } from '../../../server/src/contracts/orgs';
import type { TFigure, TStatsItems } from '../../../server/src/contracts/stats';
import { RevalidationCard } from '../components/RevalidationCard';
import { useI18n } from '../i18n/i18n';
import { call, errorText, fetchOf, follow, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { foldVietnamese } from '../lib/fold';
import { DATE_FORMAT, dayjs, fmtNumber, fmtPercent } from '../lib/format';
import { linkProps } from '../lib/router';
import { useAsync } from '../lib/useAsync';

export const STATS_ENDPOINT = '/api/v1/stats/summary';

const pct = (f?: TFigure) =>
  f?.value === null || f?.value === undefined ? null : Math.round(f.value * 1000) / 10;
const num = (f?: TFigure) => f?.value ?? 0;

type Drill = { title: string; path: string; denominator?: string } | null;
type Item = { id: string; documentId: string; label: string };

const MAX_LISTED = 50;

/** The ids behind a drill-down query (up to 1000) and their kind. */
async function idsOf(path: string): Promise<TStatsItems> {
  return follow(routes.stats.items, path, { limit: 1000 });
}

/** Names, not ids: a document as "123/UBND-VP — subject", a delivery with its recipient. */
async function labelled(kind: TStatsItems['kind'], ids: string[]): Promise<Item[]> {
  const some = ids.slice(0, MAX_LISTED);
  if (kind === 'document') {
    const docs = await Promise.all(
      some.map((id) => call(routes.documents.get, { params: { id } }).catch(() => null)),
    );

    return docs
      .filter((d): d is TDocument => d !== null)
      .map((d) => ({ id: d.id, documentId: d.id, label: `${d.codeLabel} — ${d.meta.subject}` }));
  }
  const ds = await Promise.all(
    some.map((id) => call(routes.exchange.delivery, { params: { id } }).catch(() => null)),
  );

  return ds
    .filter((d): d is TDelivery => d !== null)
    .map((d) => ({
      id: d.id,
      documentId: d.documentId,
      label: `${d.codeLabel} — ${d.subject} (${d.recipientName})`,
    }));
}

function ItemList({ items, loading }: { items: Item[]; loading: boolean }) {
  const { t } = useI18n();

  return (
    <List
      loading={loading}
      dataSource={items}
      locale={{ emptyText: t('common.empty') }}
      renderItem={(i) => (
        <List.Item data-testid="drill-item">
          <a {...linkProps(`/documents/${i.documentId}`)}>{i.label}</a>
        </List.Item>
      )}
    />
  );
}

/**
 * The documents behind a figure, by name. For a ratio both sides are listed: the items that
 * did not meet it (late, unsigned…) first — at 0 % they are the whole point of looking.
 */
function DrillDown({ drill, onClose }: { drill: Drill; onClose: () => void }) {
  const { t } = useI18n();
  const { data, loading, error } = useAsync(async () => {
    if (!drill) return null;
    const met = await idsOf(drill.path);
    if (!drill.denominator) return { met: await labelled(met.kind, met.ids) };
    const all = await idsOf(drill.denominator);
    const metIds = new Set(met.ids);
    const notMet = all.ids.filter((id) => !metIds.has(id));

    return {
      met: await labelled(met.kind, met.ids),
      notMet: await labelled(all.kind, notMet),
      counts: { met: met.ids.length, notMet: notMet.length },
    };
  }, [drill]);

  return (
    <Modal
      open={drill !== null}
      title={drill?.title}
      onCancel={onClose}
      footer={null}
      width={720}
      data-testid="drill-down"
    >
      {error && <Alert type="error" message={error} />}
      {data?.notMet ? (
        <Tabs
          // the side with items first: the late ones at 0 %, the valid ones at 100 %
          defaultActiveKey={data.notMet.length > 0 ? 'notMet' : 'met'}
          items={[
            {
              key: 'notMet',
              label: t('dash.drillNotMet', { n: data.counts?.notMet ?? 0 }),
              children: <ItemList items={data.notMet} loading={loading} />,
            },
            {
              key: 'met',
              label: t('dash.drillMet', { n: data.counts?.met ?? 0 }),
              children: <ItemList items={data.met} loading={loading} />,
            },
          ]}
        />
      ) : (
        <ItemList items={data?.met ?? []} loading={loading} />
      )}
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
  const { lang } = useI18n();
  const isRatio = figure?.unit === 'ratio';
  const shown =
    figure?.value === null || figure?.value === undefined
      ? '—'
      : isRatio
        ? fmtPercent(figure.value, lang)
        : fmtNumber(figure.value, lang, 1);

  return (
    <Card
      hoverable={!!figure?.drillDown}
      onClick={() => figure?.drillDown && onDrill(figure)}
      data-testid={`kpi-${figure?.key ?? 'none'}`}
      role={figure?.drillDown ? 'button' : undefined}
      tabIndex={figure?.drillDown ? 0 : undefined}
      onKeyDown={(e) => {
        if ((e.key === 'Enter' || e.key === ' ') && figure?.drillDown) onDrill(figure);
      }}
    >
      <Statistic title={title} value={shown} />
      {isRatio && figure && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {fmtNumber(figure.numerator ?? 0, lang)}/{fmtNumber(figure.denominator ?? 0, lang)}
        </Typography.Text>
      )}
    </Card>
  );
}

/**
 * The organization a dashboard opens on: an org admin's own; an auditor or hub admin sees the
 * top of its own tree — the province an inspectorate belongs to —, not the inspectorate's own
 * (empty) figures; an auditor outside any tree sees the first province.
 */
function defaultOrg(orgs: TOrg[], own: string | undefined, global: boolean): string | undefined {
  if (!global) return own;
  const byId = new Map(orgs.map((o) => [o.id, o]));
  let top = own ? byId.get(own) : undefined;
  for (let hops = 0; top?.parentId && byId.has(top.parentId) && hops < 20; hops++)
    top = byId.get(top.parentId);
  if (top && !isHubOrg(top) && !(top.id === own && top.kind === 'inspection')) return top.id;
  const visible = orgs.filter((o) => !isHubOrg(o) && !o.parentId);
  const province = visible.find((o) => o.level === 'province');

  return (province ?? visible.find((o) => o.kind === 'agency'))?.id ?? own;
}

export function Dashboard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { session, hasRole } = useAuth();
  const { lang } = useI18n();
  const global = hasRole('auditor', 'hub_admin');
  const [chosen, setOrgId] = useState<string | undefined>(global ? undefined : session?.user.orgId);
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().startOf('year'), dayjs()]);
  const [drill, setDrill] = useState<Drill>(null);
  const orgs = useAsync(() => call(routes.orgs.list).catch((): TOrg[] => []), []);
  const orgId =
    chosen ?? (orgs.data ? defaultOrg(orgs.data, session?.user.orgId, global) : undefined);
  const params = { orgId, from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') };
  const stats = useAsync(async () => {
    if (!orgId) return undefined;
    const [summary, series] = await Promise.all([
      call(routes.stats.summary, { query: params }),
      call(routes.stats.series, { query: { ...params, period: 'month' } }),
    ]);
    // volumes of the organizations directly below, for the per-organization chart
    const children = (orgs.data ?? []).filter((o) => o.parentId === summary.orgId).slice(0, 12);
    const perOrg = await Promise.all(
      children.map(async (o) => {
        const s = await call(routes.stats.summary, { query: { ...params, orgId: o.id } }).catch(
          () => null,
        );

        return {
          org: o.shortName ?? o.name,
          sent: num(s?.figures.deliveriesSent),
          received: num(s?.figures.deliveriesReceived),
        };
      }),
    );

    return { summary, series, perOrg };
  }, [orgId, range[0].valueOf(), range[1].valueOf(), orgs.data]);
  const exportFile = async (kind: 'xlsx' | 'csv') => {
    try {
      const res =
        kind === 'xlsx'
          ? await fetchOf(routes.stats.xlsx, { query: { ...params, period: 'month' } })
          : await fetchOf(
              routes.stats.series,
              { query: { ...params, period: 'month' } },
              { headers: { accept: 'text/csv' } },
            );
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await res.blob());
      a.download = `thong-ke-${params.from}-${params.to}.${kind}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
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
    fig.drillDown &&
    setDrill({ title: fig.label, path: fig.drillDown, denominator: fig.drillDownDenominator });

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card title={<span data-testid="page-title">{t('dash.title')}</span>}>
        {/* below the title, not beside it: the title stays whole on a laptop and a phone */}
        <div style={{ marginBottom: 16 }}>
          <Space wrap>
            <Select
              showSearch
              // "UBND tinh" finds "UBND tỉnh": typed without accents, as in the other pickers
              filterOption={(input, o) =>
                foldVietnamese(String(o?.label ?? '')).includes(foldVietnamese(input))
              }
              style={{ width: 280, maxWidth: '100%' }}
              value={orgId}
              onChange={setOrgId}
              options={(orgs.data ?? [])
                .filter((o) => !isHubOrg(o))
                .map((o) => ({ value: o.id, label: o.name }))}
              aria-label={t('dash.org')}
              data-testid="dash-org"
            />
            <DatePicker.RangePicker
              format={DATE_FORMAT}
              value={range}
              onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
              allowClear={false}
            />
            <Button
              type="primary"
              icon={<DownloadOutlined />}
              onClick={() => void exportFile('xlsx')}
              data-testid="export-xlsx"
            >
              {t('dash.exportXlsx')}
            </Button>
            <Button onClick={() => void exportFile('csv')} data-testid="export-csv">
              {t('dash.exportCsvMachine')}
            </Button>
          </Space>
        </div>
        {stats.error && <Alert type="warning" showIcon message={stats.error} />}
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
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0', fontSize: 12 }}>
          {t('dash.deliveriesNote')}
        </Typography.Paragraph>
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
        <Card size="small" title={t('dash.figures')}>
          <List
            size="small"
            dataSource={Object.values(f).filter((x) => x.computed && x.unit !== 'ms')}
            renderItem={(x) => (
              <List.Item
                actions={
                  x.drillDown
                    ? [
                        <Button key="d" type="link" size="small" onClick={() => onDrill(x)}>
                          {t('common.open')}
                        </Button>,
                      ]
                    : []
                }
              >
                <Typography.Text>{x.label}</Typography.Text>
                <Typography.Text strong>
                  {x.unit === 'ratio'
                    ? fmtPercent(x.value, lang)
                    : x.value === null
                      ? '—'
                      : fmtNumber(x.value, lang, 2)}
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
