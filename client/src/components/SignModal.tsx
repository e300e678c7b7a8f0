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
import { useEffect, useState } from 'react';
import type { TDocument } from '../../../server/src/contracts/documents';
import type { TCertificate } from '../../../server/src/contracts/pki';
import {
  PADES_LEVELS,
  type TSignRequest,
  type TSigningSession,
} from '../../../server/src/contracts/signing';
import { useI18n } from '../i18n/i18n';
import { ApiError, api, errorText, get, post } from '../lib/api';
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
import { PdfViewer, type PagePoint } from './PdfViewer';

const BOX = { w: 180, h: 70 };

type Props = {
  doc: TDocument;
  bytes: Uint8Array | null;
  open: boolean;
  onClose: () => void;
  onSigned: () => void;
};

function HubKeyForm({ doc, bytes, onSigned }: Omit<Props, 'open' | 'onClose'>) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { hasRole, session } = useAuth();
  const [certs, setCerts] = useState<TCertificate[] | null>(null);
  // images of record: the registered signature and seal, drawn ones only when none exists
  const records = useRecordImages();
  const [place, setPlace] = useState<PagePoint | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{
    certificateId: string;
    kind: 'personal' | 'seal';
    level: TSignRequest['level'];
    reason?: string;
    password: string;
  }>();
  useEffect(() => {
    get<TCertificate[]>('/certificates?status=good')
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
  const usable = (certs ?? []).filter((c) => c.kind === kind);
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
        appearance: place
          ? {
              mode: v.kind === 'seal' ? 'seal' : 'signer',
              image:
                v.kind === 'seal'
                  ? (records.seal ??
                    sealImage(
                      certs?.find((c) => c.id === v.certificateId)?.subject.organization ??
                        'LiênThông',
                    ))
                  : (records.signature ?? signatureImage(session?.user.fullName ?? '')),
              page: place.page,
              x: place.x,
              y: place.y,
              width: v.kind === 'seal' ? BOX.h * 1.4 : BOX.w,
              height: v.kind === 'seal' ? BOX.h * 1.4 : BOX.h,
            }
          : { mode: 'invisible' },
      };
      await post(`/documents/${doc.id}/signatures`, body);
      message.success(t('sign.done'));
      onSigned();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ display: 'flex', gap: 16 }}>
      <div
        style={{ width: 440, maxHeight: 520, overflow: 'auto', background: '#f0f2f5', padding: 8 }}
      >
        <Typography.Text type="secondary">{t('sign.place')}</Typography.Text>
        <PdfViewer
          bytes={bytes}
          width={400}
          onPageClick={(p) =>
            setPlace({
              page: p.page,
              x: Math.max(0, p.x - BOX.w / 2),
              y: Math.max(0, p.y - BOX.h / 2),
            })
          }
          marker={place ? { ...place, ...BOX } : undefined}
        />
      </div>
      <Form
        form={form}
        layout="vertical"
        style={{ flex: 1 }}
        initialValues={{ kind: hasRole('signer') ? 'personal' : 'seal', level: 'B-LT' }}
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
        <Form.Item name="reason" label={t('sign.reason')}>
          <Input maxLength={200} />
        </Form.Item>
        <Typography.Paragraph type="secondary">
          {place
            ? t('sign.placed', { page: place.page, x: place.x, y: place.y })
            : t('sign.invisible')}
        </Typography.Paragraph>
        <Form.Item
          name="password"
          label={t('sign.password')}
          rules={[{ required: true, message: t('sign.password') }]}
        >
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
        <Button
          type="primary"
          loading={busy}
          onClick={() => void submit().catch(() => undefined)}
          data-testid="sign-submit"
        >
          {t('sign.submit')}
        </Button>
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
      const c = await post<TCertificate>('/certificates/personal', { userId, csr });
      setCertPem(c.certificatePem);
    });
  const sign = () =>
    run(async () => {
      if (!key) return;
      const s = await post<TSigningSession>(`/documents/${doc.id}/signing-sessions`, {
        certificatePem: certPem,
        algorithm: 'ECDSA',
        level: 'B-T',
      });
      // WebCrypto hashes the DER signed attributes itself (SHA-256) before signing
      const sig = await signWithDeviceKey(key, fromBase64(s.dataToSign));
      await api('PUT', `/signing-sessions/${s.sessionId}`, { signature: toBase64(sig) });
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
