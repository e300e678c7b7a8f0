import {
  CheckCircleFilled,
  CloseCircleFilled,
  ExclamationCircleFilled,
  FilePdfOutlined,
} from '@ant-design/icons';
import { Alert, Card, List, Result, Space, Spin, Typography, Upload } from 'antd';
import { useState } from 'react';
import type { TValidationReport } from '../../../server/src/lib/validation/report.schemas';
import { PlainSignature } from '../components/PlainVerdict';
import { VerdictTag } from '../components/SignaturesPanel';
import { useI18n } from '../i18n/i18n';
import { fmtSize } from '../lib/format';
import { validatePdf, type ValidationOutcome } from '../lib/validation';

export function ReportView({ report, fileName }: { report: TValidationReport; fileName: string }) {
  const { t, lang } = useI18n();
  const d = report.document;
  // green only when every signature passed: a tampered file shows no success styling anywhere
  const none = d.signatureCount + d.timestampCount === 0;
  const icon = none ? (
    <ExclamationCircleFilled style={{ color: '#ad6800' }} />
  ) : d.allValid ? (
    <CheckCircleFilled style={{ color: '#237804' }} />
  ) : (
    <CloseCircleFilled style={{ color: '#cf1322' }} />
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
              {t('verify.counts', {
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
          type={
            m.severity === 'error'
              ? 'error'
              : m.severity === 'warning'
                ? 'warning'
                : d.allValid
                  ? 'success'
                  : 'info'
          }
          showIcon
          message={lang === 'vi' ? m.vi : m.en}
          style={{ marginBottom: 8 }}
        />
      ))}
      <List
        dataSource={report.signatures}
        renderItem={(s) => (
          <List.Item data-testid="verify-signature-item" style={{ display: 'block' }}>
            <Space wrap data-testid="verify-signature" style={{ marginBottom: 4 }}>
              <VerdictTag indication={s.indication} />
              <Typography.Text strong>
                {s.type === 'DOC_TIMESTAMP'
                  ? t('verify.docTimestamp')
                  : (s.signer?.commonName ?? s.name ?? s.fieldName)}
              </Typography.Text>
              {s.signer?.organization && s.signer.organization !== s.signer.commonName && (
                <Typography.Text type="secondary">{s.signer.organization}</Typography.Text>
              )}
            </Space>
            <PlainSignature s={s} />
          </List.Item>
        )}
      />
    </Card>
  );
}

export function Verify() {
  const { t } = useI18n();
  // the hub's own reasons for refusing a file are technical (and in English): say it plainly
  const errorMessage = (o: Extract<ValidationOutcome, { state: 'error' }>) =>
    o.code === 'NOT_PDF'
      ? t('verify.notPdf')
      : o.code === 'PDF_UNREADABLE'
        ? t('verify.unreadable')
        : o.detail;
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
        <Alert
          type="error"
          showIcon
          message={errorMessage(result.outcome)}
          data-testid="verify-error"
        />
      )}
    </Space>
  );
}
