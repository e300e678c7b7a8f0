import { DownloadOutlined, EditOutlined, SendOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  List,
  Modal,
  Row,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { TDocument } from '../../../server/src/contracts/documents';
import type { TDelivery } from '../../../server/src/contracts/exchange';
import { DeliveryActions } from '../components/DeliveryActions';
import { PdfViewer } from '../components/PdfViewer';
import { RecipientPicker } from '../components/RecipientPicker';
import { SignaturesPanel } from '../components/SignaturesPanel';
import { SignModal } from '../components/SignModal';
import { WorkflowPanel } from '../components/WorkflowPanel';
import { DeliveryTimeline, type ReceiptCheck } from '../components/Timeline';
import { UrgencyTag } from '../components/tags';
import { useI18n } from '../i18n/i18n';
import { call, errorText, fetchOf, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtDate, fmtDateTime, fmtSize } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { validatePdf, type ValidationOutcome } from '../lib/validation';

/** The deliveries this caller may see: its own (recipient), or every one (sender, auditor). */
async function loadDeliveries(
  doc: TDocument,
  orgId: string,
  deliveryId?: string,
): Promise<TDelivery[]> {
  if (doc.view === 'recipient' || (doc.orgId !== orgId && doc.view !== 'auditor'))
    return deliveryId ? [await call(routes.exchange.delivery, { params: { id: deliveryId } })] : [];
  // the sender's organization and auditors: every recipient, read-only for auditors
  const all = await call(routes.exchange.ofDocument, { params: doc });
  if (!deliveryId || all.some((d) => d.id === deliveryId)) return all;

  return [...all, await call(routes.exchange.delivery, { params: { id: deliveryId } })];
}

async function loadReceipts(ds: TDelivery[]): Promise<Record<string, ReceiptCheck[]>> {
  const out: Record<string, ReceiptCheck[]> = {};
  await Promise.all(
    ds.slice(0, 20).map(async (d) => {
      out[d.id] = await call(routes.exchange.receipts, { params: d }).catch(() => []);
    }),
  );

  return out;
}

/**
 * A delivery whose document the hub no longer serves to this organization (the sender recalled
 * it): the recall and the answer to it remain, the document does not.
 */
function RecalledDelivery({ deliveryId, error }: { deliveryId: string; error: string }) {
  const { t } = useI18n();
  const { data: delivery, reload } = useAsync(
    () => call(routes.exchange.delivery, { params: { id: deliveryId } }).catch(() => null),
    [deliveryId],
  );
  const [receipts, setReceipts] = useState<Record<string, ReceiptCheck[]>>({});
  useEffect(() => {
    if (delivery) void loadReceipts([delivery]).then(setReceipts);
  }, [delivery]);

  if (delivery === undefined) return <Spin />;
  if (!delivery) return <Alert type="error" showIcon message={error} />;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Alert type="warning" showIcon message={t('doc.recalledFromYou')} />
      <Card size="small" title={`${delivery.codeLabel} — ${delivery.subject}`}>
        <DeliveryActions delivery={delivery} onChanged={() => void reload()} />
      </Card>
      <Card size="small" title={t('doc.timeline')}>
        <DeliveryTimeline deliveries={[delivery]} receipts={receipts} />
      </Card>
    </Space>
  );
}

export function DocumentView({ id, deliveryId }: { id: string; deliveryId?: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { session, events, hasRole } = useAuth();
  const orgId = session?.user.orgId ?? '';
  const {
    data: doc,
    error,
    reload,
  } = useAsync(() => call(routes.documents.get, { params: { id } }), [id]);
  const [versionId, setVersionId] = useState<string | null>(null);
  const [bytes, setBytes] = useState<Uint8Array | null>(null);
  const [outcome, setOutcome] = useState<ValidationOutcome | null>(null);
  const [deliveries, setDeliveries] = useState<TDelivery[]>([]);
  const [receipts, setReceipts] = useState<Record<string, ReceiptCheck[]>>({});
  const [signOpen, setSignOpen] = useState(false);
  const [sendOpen, setSendOpen] = useState(false);
  const [recipients, setRecipients] = useState<string[]>([]);
  const shownVersion = versionId ?? doc?.currentVersionId ?? null;
  const version = useMemo(
    () => doc?.versions.find((v) => v.id === shownVersion),
    [doc, shownVersion],
  );

  // a version's bytes never change: a reload of the document's metadata does not fetch them again
  const docId = doc?.id;
  useEffect(() => {
    if (!docId || !shownVersion) return;
    let stale = false;
    setBytes(null);
    setOutcome(null);
    void fetchOf(routes.documents.file, { params: { id: docId, versionId: shownVersion } })
      .then((r) => r.arrayBuffer())
      .then(async (buf) => {
        if (stale) return;
        const b = new Uint8Array(buf);
        setBytes(b);
        const o = await validatePdf(b);
        if (!stale) setOutcome(o);
      })
      .catch((e) => message.error(errorText(e)));

    return () => {
      stale = true;
    };
  }, [docId, shownVersion, message]);

  const refreshDeliveries = useCallback(async () => {
    if (!doc) return;
    const ds = await loadDeliveries(doc, orgId, deliveryId).catch(() => []);
    setDeliveries(ds);
    setReceipts(await loadReceipts(ds));
  }, [doc, orgId, deliveryId]);
  useEffect(() => void refreshDeliveries(), [refreshDeliveries]);

  useEffect(() => {
    if (!events) return;
    const offs = [
      events.on('delivery:status', (e) => {
        if (e.data.documentId === id) void refreshDeliveries();
      }),
      events.on('document:updated', (e) => {
        if (e.data.documentId === id) void reload();
      }),
      events.on('workflow:changed', (e) => {
        if (e.data.documentId === id) void reload();
      }),
      // a recall takes the document away from this organization: the hub answers 404 from now on
      events.on('dispatch:recalled', (e) => {
        if (e.data.documentId === id) void reload();
      }),
    ];

    return () => offs.forEach((off) => off());
  }, [events, id, refreshDeliveries, reload]);

  if (error)
    return deliveryId ? (
      <RecalledDelivery deliveryId={deliveryId} error={error} />
    ) : (
      <Alert type="error" showIcon message={error} />
    );
  if (!doc) return <Spin />;
  const own = doc.orgId === orgId;
  // trình ký: its panel offers signing and sending at the right step, not these buttons
  const wf = own && doc.view !== 'recipient' ? doc.workflow : undefined;
  const canSign =
    own && !wf && hasRole('signer', 'clerk') && (doc.status === 'draft' || doc.status === 'signed');
  const canSend = own && !wf && hasRole('clerk', 'org_admin') && doc.status !== 'recalled';
  const myDelivery = deliveries.find((d) => d.id === deliveryId);
  const send = async () => {
    try {
      await call(
        routes.exchange.dispatch,
        { body: { documentId: doc.id, recipients } },
        { headers: { 'idempotency-key': `doc-${doc.id}-${crypto.randomUUID()}` } },
      );
      message.success(t('compose.sent', { code: doc.codeLabel, n: recipients.length }));
      setSendOpen(false);
      void reload();
      void refreshDeliveries();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const download = () => {
    if (!bytes || !version) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/pdf' }));
    a.download = version.fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 5000);
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card>
        <div
          style={{ display: 'flex', justifyContent: 'space-between', gap: 16, flexWrap: 'wrap' }}
        >
          <Space direction="vertical" size={2}>
            <Space wrap>
              <UrgencyTag urgency={doc.meta.urgency} />
              <Typography.Text strong style={{ fontSize: 16 }} data-testid="doc-code">
                {doc.meta.type} {doc.codeLabel}
              </Typography.Text>
              <Tag>{t(`doc.status.${doc.status}`)}</Tag>
            </Space>
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="doc-subject">
              {doc.meta.subject}
            </Typography.Title>
          </Space>
          <Space wrap>
            {canSign && (
              <Button
                type="primary"
                icon={<EditOutlined />}
                onClick={() => setSignOpen(true)}
                data-testid="open-sign"
              >
                {t('doc.sign')}
              </Button>
            )}
            {canSend && (
              <Button icon={<SendOutlined />} onClick={() => setSendOpen(true)}>
                {t('doc.sendNow')}
              </Button>
            )}
            <Button icon={<DownloadOutlined />} onClick={download} disabled={!bytes}>
              {t('common.download')}
            </Button>
          </Space>
        </div>
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Card styles={{ body: { padding: 12 } }}>
            {/* fits the card's width: the whole page is visible on a phone as on a laptop */}
            <PdfViewer bytes={bytes} />
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Space direction="vertical" style={{ width: '100%' }} size="middle">
            {wf && doc.view !== 'recipient' && (
              <Card size="small" title={t('wf.panel')}>
                <WorkflowPanel
                  doc={doc}
                  onSign={() => setSignOpen(true)}
                  onChanged={() => {
                    setVersionId(null);
                    void reload();
                    void refreshDeliveries();
                  }}
                />
              </Card>
            )}
            {myDelivery && (
              <Card size="small" title={t('actions.title')}>
                <DeliveryActions delivery={myDelivery} onChanged={() => void refreshDeliveries()} />
              </Card>
            )}
            <Card size="small" title={t('doc.signatures')}>
              <SignaturesPanel
                versions={doc.versions.filter((v) => v.index <= (version?.index ?? Infinity))}
                outcome={outcome}
              />
            </Card>
            <Card size="small" title={t('doc.timeline')}>
              <DeliveryTimeline deliveries={deliveries} receipts={receipts} />
            </Card>
            <Card size="small" title={t('doc.meta')}>
              <Descriptions size="small" column={1}>
                <Descriptions.Item label={t('field.issuePlace')}>
                  {doc.meta.issuePlace}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.issueDate')}>
                  {fmtDate(doc.meta.issueDate)}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.signerName')}>
                  {doc.meta.signer.fullName} — {doc.meta.signer.position}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.confidentiality')}>
                  {t(`conf.${doc.meta.confidentiality}`)}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.dueDate')}>
                  {fmtDate(doc.meta.dueDate)}
                </Descriptions.Item>
              </Descriptions>
            </Card>
            <Card size="small" title={t('doc.versions')}>
              <List
                size="small"
                dataSource={[...doc.versions].reverse()}
                renderItem={(v) => (
                  <List.Item
                    onClick={() => setVersionId(v.id)}
                    style={{
                      cursor: 'pointer',
                      background: v.id === shownVersion ? '#e6f4ff' : undefined,
                      paddingInline: 8,
                    }}
                    data-testid="version"
                  >
                    <Space direction="vertical" size={0}>
                      <Typography.Text strong>
                        {t('doc.version', { n: v.index })} · {t(`doc.reason.${v.reason}`)}
                        {v.id === doc.currentVersionId ? ' ✓' : ''}
                      </Typography.Text>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {fmtDateTime(v.createdAt)} · {v.fileName} · {fmtSize(v.size)}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            </Card>
          </Space>
        </Col>
      </Row>
      {(canSign || wf) && (
        <SignModal
          doc={doc}
          bytes={bytes}
          open={signOpen}
          onClose={() => setSignOpen(false)}
          onSigned={() => {
            setSignOpen(false);
            setVersionId(null);
            void reload();
          }}
        />
      )}
      <Modal
        open={sendOpen}
        title={`${t('doc.sendNow')} — ${doc.codeLabel}`}
        onCancel={() => setSendOpen(false)}
        onOk={() => void send()}
        okButtonProps={{ disabled: recipients.length === 0 }}
        okText={t('compose.send')}
        cancelText={t('common.cancel')}
        width={640}
      >
        <RecipientPicker value={recipients} onChange={setRecipients} />
      </Modal>
    </Space>
  );
}
