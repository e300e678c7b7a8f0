import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Progress, Space, Statistic, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type {
  TRevalidationCounts,
  TRevalidationJob,
  TRevalidationStatus,
} from '../../../server/src/contracts/revalidation';
import type { TFigure } from '../../../server/src/contracts/stats';
import { useI18n } from '../i18n/i18n';
import { call, errorText, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtPercent } from '../lib/format';

type Shown = TRevalidationCounts & { id: string; status: TRevalidationStatus };

const active = (s?: TRevalidationStatus) => s === 'queued' || s === 'running';
/** Progress comes over the socket; a poll covers a dropped connection or a job started elsewhere. */
const POLL_MS = 3_000;

const pick = (j: TRevalidationJob): Shown => ({
  id: j.id,
  status: j.status,
  total: j.total,
  processed: j.processed,
  valid: j.valid,
  invalid: j.invalid,
  indeterminate: j.indeterminate,
  unsigned: j.unsigned,
});

/**
 * The still-valid figure and the button that re-validates the period's outgoing documents
 * today, with a live progress bar; the figure is reloaded when the job is done.
 */
export function RevalidationCard({
  orgId,
  from,
  to,
  figure,
  onDone,
  onDrill,
}: {
  orgId?: string;
  from: string;
  to: string;
  figure?: TFigure;
  onDone: () => void;
  onDrill: (f: TFigure) => void;
}) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const { events } = useAuth();
  const [job, setJob] = useState<Shown | null>(null);
  const [starting, setStarting] = useState(false);

  // the latest job over exactly these days, e.g. one still running from an earlier visit
  useEffect(() => {
    let live = true;
    setJob(null);
    call(routes.revalidation.list, { query: { orgId, from, to, limit: 1 } })
      .then((p) => {
        const j = p.items[0];
        if (live && j && (orgId === undefined || j.orgId === orgId)) setJob(pick(j));
      })
      .catch(() => undefined);

    return () => {
      live = false;
    };
  }, [orgId, from, to]);

  useEffect(
    () =>
      events?.onRevalidation((e) =>
        setJob((j) => (j && j.id === e.jobId ? { ...e, id: e.jobId } : j)),
      ),
    [events],
  );

  const id = job?.id;
  const running = active(job?.status);
  useEffect(() => {
    if (!id || !running) return;
    const timer = setInterval(() => {
      call(routes.revalidation.get, { params: { id } })
        .then((j) => setJob((cur) => (cur?.id === j.id ? pick(j) : cur)))
        .catch(() => undefined);
    }, POLL_MS);

    return () => clearInterval(timer);
  }, [id, running]);

  const finished = job?.status === 'done';
  useEffect(() => {
    // onDone is the dashboard's reload: called on the transition to done, not when it changes
    if (finished) onDone();
  }, [id, finished]);

  const start = async () => {
    setStarting(true);
    try {
      setJob(pick(await call(routes.revalidation.start, { body: { orgId, from, to } })));
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setStarting(false);
    }
  };
  const resume = async () => {
    if (!job) return;
    try {
      setJob(pick(await call(routes.revalidation.resume, { params: { id: job.id } })));
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const percent = job && job.total > 0 ? Math.floor((job.processed / job.total) * 100) : 0;

  return (
    <Card
      size="small"
      title={t('dash.stillValid')}
      // the title wraps instead of being cut beside the button on a phone
      styles={{ title: { whiteSpace: 'normal' }, header: { flexWrap: 'wrap', gap: 8 } }}
      data-testid="revalidation"
      extra={
        <Button
          type="primary"
          icon={<SafetyCertificateOutlined />}
          loading={starting}
          disabled={running}
          onClick={() => void start()}
          data-testid="revalidate"
        >
          {t('dash.revalidate')}
        </Button>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Space align="baseline" size="large">
          <Statistic value={fmtPercent(figure?.value, lang)} data-testid="kpi-stillValidRate" />
          {figure?.drillDown && (
            <Button type="link" onClick={() => onDrill(figure)}>
              {figure.numerator ?? 0}/{figure.denominator ?? 0}
            </Button>
          )}
        </Space>
        <Typography.Text type="secondary">
          {/* the hub's note may name its API; users are told what to click instead */}
          {figure?.note && !/\/api\//.test(figure.note) ? figure.note : t('dash.revalidateHint')}
        </Typography.Text>
        {job && (
          <div data-testid="revalidation-progress" data-status={job.status}>
            <Progress
              percent={job.status === 'done' ? 100 : percent}
              status={
                job.status === 'failed' ? 'exception' : job.status === 'done' ? 'success' : 'active'
              }
            />
            <Typography.Text>
              {job.status === 'queued'
                ? t('dash.revalidateQueued')
                : `${job.status === 'done' ? `${t('dash.revalidateDone')}: ` : ''}${t(
                    'dash.revalidateProgress',
                    { processed: job.processed, total: job.total },
                  )} — ${t('dash.revalidateCounts', { ...job })}`}
            </Typography.Text>
          </div>
        )}
        {job?.status === 'failed' && (
          <Alert
            type="error"
            showIcon
            message={t('dash.revalidateFailed')}
            action={
              <Button size="small" onClick={() => void resume()}>
                {t('dash.revalidateResume')}
              </Button>
            }
          />
        )}
      </Space>
    </Card>
  );
}
