import { DownloadOutlined, SafetyOutlined, StopOutlined, UserAddOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Dropdown,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
} from 'antd';
import { useState } from 'react';
import {
  CERTIFICATE_KINDS,
  KEY_ALGORITHMS,
  REVOCATION_REASONS,
  type TCertificate,
  type TCertificateKind,
} from '../../../server/src/contracts/pki';
import { useI18n } from '../i18n/i18n';
import { call, downloadFile, errorText, routes, urlOf } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtDate } from '../lib/format';
import { useAsync } from '../lib/useAsync';

type Issue = 'seal' | 'personal' | null;
type IssueForm = {
  algorithm: (typeof KEY_ALGORITHMS)[number];
  validityDays?: number;
  userId?: string;
  csr?: string;
};
const ALGORITHM_LABEL: Record<(typeof KEY_ALGORITHMS)[number], string> = {
  p256: 'ECDSA P-256',
  rsa2048: 'RSA 2048',
  rsa3072: 'RSA 3072',
};

function IssueDialog({ issue, onDone }: { issue: Issue; onDone: (c?: TCertificate) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<IssueForm>();
  const [busy, setBusy] = useState(false);
  const users = useAsync(
    () => (issue === 'personal' ? call(routes.users.list) : Promise.resolve([])),
    [issue],
  );
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const body = {
        algorithm: v.algorithm,
        ...(v.validityDays ? { validityDays: v.validityDays } : {}),
      };
      const c =
        issue === 'personal'
          ? await call(routes.certificates.issuePersonal, {
              body: {
                ...body,
                userId: v.userId ?? '',
                ...(v.csr?.trim() ? { csr: v.csr.trim() } : {}),
              },
            })
          : await call(routes.certificates.issueSeal, { body });
      message.success(t('cert.issued', { serial: c.serialHex.slice(0, 16) }));
      onDone(c);
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={issue !== null}
      title={issue === 'seal' ? t('cert.issueSeal') : t('cert.issuePersonal')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={() => onDone()}
      onOk={() => void submit().catch(() => undefined)}
      destroyOnHidden
      width={600}
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={{ algorithm: 'p256' }}>
        {issue === 'personal' && (
          <Form.Item
            name="userId"
            label={t('cert.user')}
            rules={[{ required: true, message: t('common.required', { field: t('cert.user') }) }]}
          >
            <Select
              showSearch
              optionFilterProp="label"
              loading={users.loading}
              options={(users.data ?? [])
                .filter((u) => u.active)
                .map((u) => ({ value: u.id, label: `${u.fullName} (${u.username})` }))}
            />
          </Form.Item>
        )}
        <Space size="large" wrap>
          <Form.Item name="algorithm" label={t('cert.algorithm')}>
            <Select
              style={{ width: 200 }}
              options={KEY_ALGORITHMS.map((a) => ({ value: a, label: ALGORITHM_LABEL[a] }))}
            />
          </Form.Item>
          <Form.Item
            name="validityDays"
            label={t('cert.validityDays')}
            extra={t('cert.validityDefault')}
          >
            <InputNumber min={1} max={1096} style={{ width: 200 }} />
          </Form.Item>
        </Space>
        {issue === 'personal' && (
          <Form.Item name="csr" label={t('cert.csr')} extra={t('cert.csrHelp')}>
            <Input.TextArea
              rows={5}
              style={{ fontFamily: 'monospace', fontSize: 11 }}
              placeholder="-----BEGIN CERTIFICATE REQUEST-----"
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function RevokeDialog({ cert, onDone }: { cert: TCertificate | null; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [reason, setReason] = useState<number>(0);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!cert) return;
    setBusy(true);
    try {
      await call(routes.certificates.revoke, { params: { id: cert.id }, body: { reason } });
      message.success(t('cert.revokedOk'));
      setReason(0);
      onDone();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={cert !== null}
      title={t('cert.revokeTitle', { serial: cert?.serialHex.slice(0, 16) ?? '' })}
      okText={t('cert.revoke')}
      okButtonProps={{ danger: true, id: 'revoke-submit' }}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={() => {
        setReason(0);
        onDone();
      }}
      onOk={() => void submit()}
    >
      <Alert type="warning" showIcon message={t('cert.revokeWarn')} style={{ marginBottom: 16 }} />
      <div style={{ marginBottom: 6 }}>
        <strong>{cert?.subject.commonName}</strong>
      </div>
      <label htmlFor="revoke-reason">{t('cert.revokeReason')}</label>
      <Select
        id="revoke-reason"
        style={{ width: '100%', marginTop: 6 }}
        value={reason}
        onChange={setReason}
        options={REVOCATION_REASONS.map((r) => ({ value: r, label: t(`revoke.${r}`) }))}
      />
    </Modal>
  );
}

export function Certificates() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { hasRole } = useAuth();
  const admin = hasRole('org_admin', 'hub_admin');
  const [kind, setKind] = useState<TCertificateKind | undefined>();
  const [issue, setIssue] = useState<Issue>(null);
  const [revoking, setRevoking] = useState<TCertificate | null>(null);
  const { data, loading, error, reload } = useAsync(
    () => call(routes.certificates.list, { query: { kind } }),
    [kind],
  );
  const download = (c: TCertificate, chain: boolean) =>
    downloadFile(
      urlOf(chain ? routes.certificates.chainPem : routes.certificates.pem, { params: c }),
      `${c.serialHex.slice(0, 16)}${chain ? '-chain' : ''}.pem`,
    ).catch((e) => message.error(errorText(e)));

  return (
    <Card
      title={<span data-testid="page-title">{t('cert.title')}</span>}
      extra={
        <Space wrap>
          <Select
            allowClear
            style={{ width: 170 }}
            placeholder={t('cert.filterKind')}
            aria-label={t('cert.filterKind')}
            value={kind}
            onChange={setKind}
            options={CERTIFICATE_KINDS.map((k) => ({ value: k, label: t(`cert.kind.${k}`) }))}
          />
          {admin && (
            <>
              <Button
                icon={<SafetyOutlined />}
                onClick={() => setIssue('seal')}
                data-testid="issue-seal"
              >
                {t('cert.issueSeal')}
              </Button>
              <Button
                type="primary"
                icon={<UserAddOutlined />}
                onClick={() => setIssue('personal')}
                data-testid="issue-personal"
              >
                {t('cert.issuePersonal')}
              </Button>
            </>
          )}
        </Space>
      }
    >
      {error && <Tag color="red">{error}</Tag>}
      <Table<TCertificate>
        // on a phone the table scrolls inside its card, not the whole page
        scroll={{ x: 'max-content' }}
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('common.empty') }}
        onRow={(c) => ({ 'data-cert': c.serialHex }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('cert.subject'),
            render: (_, c) => (
              <div>
                <strong>{c.subject.commonName}</strong>
                {c.subject.organization && c.subject.organization !== c.subject.commonName && (
                  <div style={{ color: '#667085', fontSize: 12 }}>{c.subject.organization}</div>
                )}
              </div>
            ),
          },
          {
            title: t('cert.kind'),
            dataIndex: 'kind',
            width: 110,
            render: (k: TCertificateKind) => t(`cert.kind.${k}`),
          },
          {
            title: t('cert.serial'),
            dataIndex: 'serialHex',
            width: 170,
            render: (s: string) => (
              <Tooltip title={s}>
                <code>{s.slice(0, 16)}</code>
              </Tooltip>
            ),
          },
          {
            title: t('cert.validity'),
            width: 200,
            render: (_, c) => `${fmtDate(c.notBefore)} – ${fmtDate(c.notAfter)}`,
          },
          {
            title: t('cert.keyOnHub'),
            dataIndex: 'keyOnHub',
            width: 110,
            render: (k: boolean) => (k ? t('common.yes') : t('common.no')),
          },
          {
            title: t('cert.status'),
            dataIndex: 'status',
            width: 140,
            render: (s: TCertificate['status'], c) => (
              <Tooltip
                title={
                  c.revokedAt
                    ? t('cert.revokedAt', {
                        at: fmtDate(c.revokedAt),
                        reason: t(`revoke.${c.reason ?? 0}` as 'revoke.0'),
                      })
                    : undefined
                }
              >
                <Tag color={s === 'good' ? 'green' : 'red'} data-status={s}>
                  {t(s === 'good' ? 'cert.good' : 'cert.revoked')}
                </Tag>
              </Tooltip>
            ),
          },
          {
            title: t('common.actions'),
            width: 150,
            render: (_, c) => (
              <Space size={4}>
                <Dropdown
                  menu={{
                    items: [
                      { key: 'pem', label: t('cert.pem') },
                      { key: 'chain', label: t('cert.chain') },
                    ],
                    onClick: (e) => void download(c, e.key === 'chain'),
                  }}
                >
                  <Button
                    size="small"
                    icon={<DownloadOutlined />}
                    aria-label={t('common.download')}
                  />
                </Dropdown>
                {admin && c.status === 'good' && c.kind !== 'tsa' && c.kind !== 'ocsp' && (
                  <Button
                    size="small"
                    danger
                    icon={<StopOutlined />}
                    onClick={() => setRevoking(c)}
                    data-testid="cert-revoke"
                  >
                    {t('cert.revoke')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <IssueDialog
        issue={issue}
        onDone={(c) => {
          setIssue(null);
          if (c) void reload();
        }}
      />
      <RevokeDialog
        cert={revoking}
        onDone={() => {
          setRevoking(null);
          void reload();
        }}
      />
    </Card>
  );
}
