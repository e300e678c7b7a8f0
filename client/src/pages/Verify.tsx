import {
  CheckCircleFilled,
  CloseCircleFilled,
  ExclamationCircleFilled,
  FilePdfOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Card,
  Collapse,
  Descriptions,
  List,
  Result,
  Space,
  Spin,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import type {
  TSignatureReport,
  TValidationReport,
} from '../../../server/src/validation/report.schemas';
import { VerdictTag } from '../components/SignaturesPanel';
import { useI18n } from '../i18n/i18n';
import { fmtDateTime, fmtSize } from '../lib/format';
import { validatePdf, type ValidationOutcome } from '../lib/validation';

function SignatureDetails({ s }: { s: TSignatureReport }) {
  const { t, lang } = useI18n();
  const msg = (m: { vi: string; en: string }) => (lang === 'vi' ? m.vi : m.en);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('verify.signer')}>
          {s.signer?.commonName ?? s.name ?? '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('verify.organization')}>
          {s.signer?.organization ?? '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('verify.claimedTime')}>
          {fmtDateTime(s.claimedTime)}
        </Descriptions.Item>
        <Descriptions.Item label={t('verify.provenTime')}>
          {fmtDateTime(s.provenTime)}
        </Descriptions.Item>
        <Descriptions.Item label={t('verify.level')}>{s.level ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('verify.coversWhole')}>
          {s.coversWholeDocument ? t('common.yes') : t('common.no')}
        </Descriptions.Item>
        <Descriptions.Item label={t('verify.timestamp')}>
          {s.timestamp ? `${fmtDateTime(s.timestamp.genTime)} · ${s.timestamp.tsa ?? ''}` : '—'}
        </Descriptions.Item>
      </Descriptions>
      {s.chain.length > 0 && (
        <>
          <Typography.Text strong>{t('verify.chain')}</Typography.Text>
          <List
            size="small"
            bordered
            dataSource={s.chain}
            renderItem={(c) => (
              <List.Item>
                <Space wrap>
                  <Typography.Text>{c.subject}</Typography.Text>
                  {c.trustAnchor && <Tag color="blue">trust anchor</Tag>}
                  {c.revocation && (
                    <Tag
                      color={
                        c.revocation.status === 'good'
                          ? 'green'
                          : c.revocation.status === 'revoked'
                            ? 'red'
                            : 'default'
                      }
                    >
                      {c.revocation.type} {c.revocation.status}
                    </Tag>
                  )}
                </Space>
              </List.Item>
            )}
          />
        </>
      )}
      {s.modifications.length > 0 && (
        <>
          <Typography.Text strong>{t('verify.modifications')}</Typography.Text>
          <List
            size="small"
            bordered
            dataSource={s.modifications}
            renderItem={(m) => (
              <List.Item>
                <Space wrap>
                  <Tag color={m.allowed ? 'green' : 'red'}>{m.change}</Tag>
                  <Typography.Text>{m.kind}</Typography.Text>
                  {m.page && <Typography.Text type="secondary">p.{m.page}</Typography.Text>}
                  {m.attack && <Tag color="red">{m.attack}</Tag>}
                </Space>
              </List.Item>
            )}
          />
        </>
      )}
      {[...s.messages, ...s.warnings].length > 0 && (
        <>
          <Typography.Text strong>{t('verify.messages')}</Typography.Text>
          {[...s.messages, ...s.warnings].map((m, i) => (
            <Alert
              key={`${m.code}-${i}`}
              type={
                m.severity === 'error' ? 'error' : m.severity === 'warning' ? 'warning' : 'info'
              }
              message={msg(m)}
              showIcon
              data-testid="verify-message"
            />
          ))}
        </>
      )}
    </Space>
  );
}

export function ReportView({ report, fileName }: { report: TValidationReport; fileName: string }) {
  const { t, lang } = useI18n();
  const d = report.document;
  const none = d.signatureCount + d.timestampCount === 0;
  const icon = none ? (
    <ExclamationCircleFilled style={{ color: '#faad14' }} />
  ) : d.allValid ? (
    <CheckCircleFilled style={{ color: '#52c41a' }} />
  ) : (
    <CloseCircleFilled style={{ color: '#f5222d' }} />
  );

  return (
    <Card data-testid="verify-report">
      <Result
        icon={icon}
        title={
          <span data-testid="verify-verdict">
            {none
              ? t('verify.noSignature')
              : d.allValid
                ? t('verify.allValid')
                : t('verify.notAllValid')}
          </span>
        }
        subTitle={
          <Space direction="vertical" size={0}>
            <span>
              <FilePdfOutlined /> {fileName} · {fmtSize(d.sizeBytes)}
            </span>
            <span>
              {t('verify.summary', {
                n: d.signatureCount + d.timestampCount,
                passed: d.passed,
                failed: d.failed,
                ind: d.indeterminate,
              })}
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('verify.sha256')}: {d.sha256}
            </Typography.Text>
          </Space>
        }
        style={{ padding: '16px 0' }}
      />
      {d.messages.map((m, i) => (
        <Alert
          key={i}
          type={m.severity === 'error' ? 'error' : m.severity === 'warning' ? 'warning' : 'success'}
          showIcon
          message={lang === 'vi' ? m.vi : m.en}
          style={{ marginBottom: 8 }}
        />
      ))}
      <Collapse
        defaultActiveKey={report.signatures.map((_, i) => String(i))}
        items={report.signatures.map((s, i) => ({
          key: String(i),
          label: (
            <Space wrap data-testid="verify-signature">
              <VerdictTag indication={s.indication} />
              <Typography.Text strong>
                {s.type === 'DOC_TIMESTAMP'
                  ? t('verify.docTimestamp')
                  : (s.signer?.commonName ?? s.fieldName)}
              </Typography.Text>
              {s.subIndication && <Tag>{s.subIndication}</Tag>}
            </Space>
          ),
          children: <SignatureDetails s={s} />,
        }))}
      />
    </Card>
  );
}

export function Verify() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ outcome: ValidationOutcome; name: string } | null>(null);
  const check = async (file: File) => {
    setBusy(true);
    setResult(null);
    const outcome = await validatePdf(file);
    setResult({ outcome, name: file.name });
    setBusy(false);
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Card title={<span data-testid="page-title">{t('verify.title')}</span>}>
        <Upload.Dragger
          accept="application/pdf,.pdf"
          multiple={false}
          showUploadList={false}
          beforeUpload={(f) => {
            void check(f);

            return false;
          }}
          data-testid="verify-drop"
        >
          <p className="ant-upload-drag-icon">
            <FilePdfOutlined />
          </p>
          <p className="ant-upload-text">{t('verify.drop')}</p>
          <p className="ant-upload-hint">{t('verify.hint')}</p>
        </Upload.Dragger>
      </Card>
      {busy && (
        <Spin tip={t('common.loading')}>
          <div style={{ height: 80 }} />
        </Spin>
      )}
      {result?.outcome.state === 'ok' && (
        <ReportView report={result.outcome.report} fileName={result.name} />
      )}
      {result?.outcome.state === 'unavailable' && (
        <Alert type="warning" showIcon message={t('verify.unavailable')} />
      )}
      {result?.outcome.state === 'error' && (
        <Alert type="error" showIcon message={result.outcome.detail} data-testid="verify-error" />
      )}
    </Space>
  );
}
