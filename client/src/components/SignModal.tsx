import {
  Alert,
  App,
  Button,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Steps,
  Tabs,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { TDocument } from '../../../server/src/contracts/documents';
import type { TCertificate } from '../../../server/src/contracts/pki';
import {
  PADES_LEVELS,
  type TPlacementQuery,
  type TProposedPlacement,
  type TSignRequest,
} from '../../../server/src/contracts/signing';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/vi';
import { ApiError, call, errorText, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fromBase64, toBase64 } from '../lib/der';
import {
  generateDeviceKey,
  loadDeviceKey,
  makeCsr,
  signWithDeviceKey,
  type DeviceKey,
} from '../lib/device-key';
import { fmtDate } from '../lib/format';
import { sealImage, signatureImage } from '../lib/stamp';
import { useRecordImages } from '../lib/workflow';
import { SignaturePlacer, pngAspect, type PlacedBox } from './SignaturePlacer';

type Props = {
  doc: TDocument;
  bytes: Uint8Array | null;
  open: boolean;
  onClose: () => void;
  onSigned: () => void;
};

/** The preview's width: the page beside the form on a desktop, the screen's width on a phone. */
function previewWidth(): number {
  return Math.max(200, Math.min(340, window.innerWidth - 110));
}

type Placement = TProposedPlacement;

function HubKeyForm({ doc, bytes, onSigned }: Omit<Props, 'open' | 'onClose'>) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { hasRole, session } = useAuth();
  const [certs, setCerts] = useState<TCertificate[] | null>(null);
  // images of record: the registered signature and seal, drawn ones only when none exists
  const records = useRecordImages();
  const [place, setPlace] = useState<Placement | null>(null);
  const [placeError, setPlaceError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{
    certificateId: string;
    kind: 'personal' | 'seal';
    visible: boolean;
    level: TSignRequest['level'];
    reason?: string;
    password: string;
  }>();
  useEffect(() => {
    call(routes.certificates.list, { query: { status: 'good' } })
      .then((list) =>
        setCerts(
          list.filter(
            (c) =>
              c.keyOnHub &&
              (c.kind === 'seal' || (c.kind === 'personal' && c.userId === session?.user.id)),
          ),
        ),
      )
      .catch((e) => {
        setCerts([]);
        setError(errorText(e));
      });
  }, [session]);
  const kind = Form.useWatch('kind', form);
  const visible = Form.useWatch('visible', form) !== false;
  const certificateId = Form.useWatch('certificateId', form);
  const usable = useMemo(() => (certs ?? []).filter((c) => c.kind === kind), [certs, kind]);
  // the only certificate of the chosen kind is the one to sign with
  useEffect(() => {
    const chosen = form.getFieldValue('certificateId') as string | undefined;
    if (usable.length === 1) form.setFieldValue('certificateId', usable[0]!.id);
    else if (chosen && !usable.some((c) => c.id === chosen))
      form.setFieldValue('certificateId', undefined);
  }, [usable, form]);
  const image = useMemo(
    () =>
      kind === 'seal'
        ? (records.seal ??
          sealImage(
            certs?.find((c) => c.id === certificateId)?.subject.organization ?? 'LiênThông',
          ))
        : (records.signature ?? signatureImage(session?.user.fullName ?? '')),
    [kind, certs, certificateId, session, records.seal, records.signature],
  );
  const mode = kind === 'seal' ? 'seal' : 'signer';
  const ask = async (box?: PlacedBox) => {
    const query: TPlacementQuery = {
      mode,
      aspect: Number(pngAspect(image).toFixed(3)),
      ...(box ? { page: box.page, x: box.x, y: box.y, width: box.width, height: box.height } : {}),
    };
    try {
      setPlace(await call(routes.signing.placement, { params: { id: doc.id }, query }));
      setPlaceError(null);
    } catch (e) {
      // the signer's position is kept on screen, with the reason it cannot be used
      if (box && place) setPlace({ ...place, ...box, how: 'explicit' });
      setPlaceError(errorText(e));
    }
  };
  // the engine's proposal whenever what is signed changes (Decree 30 position)
  useEffect(() => {
    if (!visible || !kind) return;
    setPlace(null);
    void ask();
  }, [visible, kind, image, doc.id, doc.currentVersionId]);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const body: TSignRequest = {
        certificateId: v.certificateId,
        kind: v.kind,
        level: v.level,
        confirmPassword: v.password,
        ...(v.reason ? { reason: v.reason } : {}),
        appearance:
          visible && place
            ? {
                mode,
                image,
                page: place.page,
                x: place.x,
                y: place.y,
                width: place.width,
                height: place.height,
              }
            : { mode: 'invisible' },
      };
      await call(routes.signing.sign, { params: { id: doc.id }, body });
      message.success(t('sign.done'));
      onSigned();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const where = place
    ? t(`sign.where.${place.how}` as MessageKey, { page: place.page, pages: place.pageCount })
    : '';
  const width = previewWidth();

  return (
    <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', alignItems: 'flex-start' }}>
      {visible && (
        <div style={{ background: '#f0f2f5', padding: 8 }} data-testid="sign-preview">
          <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 6 }}>
            {t('sign.place')}
          </Typography.Text>
          <SignaturePlacer bytes={bytes} place={place} width={width} onMove={(b) => void ask(b)} />
        </div>
      )}
      <Form
        form={form}
        layout="vertical"
        style={{ flex: '1 1 280px', minWidth: 0 }}
        initialValues={{
          kind: hasRole('signer') ? 'personal' : 'seal',
          level: 'B-LT',
          visible: true,
        }}
      >
        <Form.Item name="kind" label={t('sign.kind')}>
          <Radio.Group
            options={[
              { value: 'personal', label: t('sign.kind.personal') },
              { value: 'seal', label: t('sign.kind.seal'), disabled: !hasRole('clerk') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="certificateId"
          label={t('sign.certificate')}
          rules={[{ required: true, message: t('sign.certificate') }]}
        >
          <Select
            loading={certs === null}
            options={usable.map((c) => ({
              value: c.id,
              label: `${c.subject.commonName} · ${c.serialHex.slice(0, 12)} · ${fmtDate(c.notAfter)}`,
            }))}
            notFoundContent={t('sign.noCertificate')}
          />
        </Form.Item>
        <Form.Item name="level" label={t('sign.level')}>
          <Select options={PADES_LEVELS.map((l) => ({ value: l, label: `PAdES ${l}` }))} />
        </Form.Item>
        <Form.Item name="visible" label={t('sign.visibility')}>
          <Radio.Group
            options={[
              { value: true, label: t('sign.visible') },
              { value: false, label: t('sign.invisible') },
            ]}
          />
        </Form.Item>
        {visible && (
          <Typography.Paragraph type="secondary" data-testid="sign-where">
            {place ? where : placeError ? '' : t('common.loading')}
          </Typography.Paragraph>
        )}
        {visible && placeError && (
          <Alert type="warning" showIcon message={placeError} style={{ marginBottom: 12 }} />
        )}
        <Form.Item name="reason" label={t('sign.reason')}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('sign.password')}
          rules={[{ required: true, message: t('sign.password') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
        <div style={{ position: 'sticky', bottom: 0, background: '#fff', paddingTop: 4 }}>
          <Button
            type="primary"
            loading={busy}
            disabled={visible && (!place || placeError !== null)}
            onClick={() => void submit().catch(() => undefined)}
            data-testid="sign-submit"
          >
            {t('sign.submit')}
          </Button>
        </div>
      </Form>
    </div>
  );
}

/** Key-stays-on-device flow: key → CSR → certificate → hub prepares, browser signs, hub embeds. */
function DeviceKeyFlow({ doc, onSigned }: Pick<Props, 'doc' | 'onSigned'>) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { session, hasRole } = useAuth();
  const [key, setKey] = useState<DeviceKey | null>(null);
  const [csr, setCsr] = useState('');
  const [certPem, setCertPem] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const userId = session?.user.id ?? 'anonymous';
  useEffect(() => {
    void loadDeviceKey(userId).then(setKey);
  }, [userId]);
  const step = !key ? 0 : !certPem ? 1 : 2;
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 404
          ? t('sign.device.unsupported', { detail: e.detail })
          : errorText(e),
      );
    } finally {
      setBusy(false);
    }
  };
  const issue = () =>
    run(async () => {
      const c = await call(routes.certificates.issuePersonal, { body: { userId, csr } });
      setCertPem(c.certificatePem);
    });
  const sign = () =>
    run(async () => {
      if (!key) return;
      const s = await call(routes.signing.openSession, {
        params: { id: doc.id },
        body: {
          certificatePem: certPem,
          algorithm: 'ECDSA',
          level: 'B-T',
          // visible as Decree 30 asks: the hub's engine places it between title and name
          appearance: { mode: 'signer', image: signatureImage(session?.user.fullName ?? '') },
        },
      });
      // WebCrypto hashes the DER signed attributes itself (SHA-256) before signing
      const sig = await signWithDeviceKey(key, fromBase64(s.dataToSign));
      await call(routes.signing.completeSession, {
        params: { id: s.sessionId },
        body: { signature: toBase64(sig) },
      });
      message.success(t('sign.done'));
      onSigned();
    });

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Alert type="info" showIcon message={t('sign.device.intro')} />
      <Steps
        size="small"
        current={step}
        items={[
          { title: t('sign.device.step1') },
          { title: t('sign.device.step2') },
          { title: t('sign.device.step3') },
        ]}
      />
      {key ? (
        <Typography.Text code data-testid="device-key">
          {t('sign.device.key', { fp: key.fingerprint })}
        </Typography.Text>
      ) : (
        <Button
          onClick={() => void run(async () => setKey(await generateDeviceKey(userId)))}
          loading={busy}
        >
          {t('sign.device.generate')}
        </Button>
      )}
      {key && (
        <Space wrap>
          <Button
            onClick={() =>
              void run(async () =>
                setCsr(await makeCsr(key, session?.user.fullName ?? 'LiênThông')),
              )
            }
          >
            {t('sign.device.csr')}
          </Button>
          {csr && hasRole('org_admin', 'hub_admin') && (
            <Button onClick={() => void issue()} loading={busy}>
              {t('sign.device.step2')}
            </Button>
          )}
        </Space>
      )}
      {csr && (
        <>
          <Typography.Text type="secondary">{t('sign.device.csrHelp')}</Typography.Text>
          <Input.TextArea
            value={csr}
            readOnly
            rows={5}
            style={{ fontFamily: 'monospace', fontSize: 11 }}
            data-testid="device-csr"
          />
        </>
      )}
      {key && (
        <Input.TextArea
          value={certPem}
          onChange={(e) => setCertPem(e.target.value)}
          rows={4}
          placeholder={t('sign.device.certPem')}
          aria-label={t('sign.device.certPem')}
          style={{ fontFamily: 'monospace', fontSize: 11 }}
        />
      )}
      {error && <Alert type="warning" showIcon message={error} />}
      <Button type="primary" disabled={!key || !certPem} loading={busy} onClick={() => void sign()}>
        {t('sign.device.sign')}
      </Button>
    </Space>
  );
}

export function SignModal(props: Props) {
  const { t } = useI18n();

  return (
    <Modal
      open={props.open}
      onCancel={props.onClose}
      footer={null}
      width={980}
      style={{ top: 12 }}
      styles={{ body: { maxHeight: 'calc(100vh - 110px)', overflowY: 'auto' } }}
      title={`${t('sign.title')} — ${props.doc.codeLabel}`}
      destroyOnHidden
    >
      <Tabs
        items={[
          {
            key: 'hub',
            label: t('sign.tabHub'),
            children: <HubKeyForm doc={props.doc} bytes={props.bytes} onSigned={props.onSigned} />,
          },
          {
            key: 'device',
            label: t('sign.tabDevice'),
            children: <DeviceKeyFlow doc={props.doc} onSigned={props.onSigned} />,
          },
        ]}
      />
    </Modal>
  );
}
