import { Empty, List, Space, Tag, Typography } from 'antd';
import type { TDocumentVersion } from '../../../server/src/contracts/documents';
import type { TIndication } from '../../../server/src/lib/validation/report.schemas';
import { useI18n } from '../i18n/i18n';
import { fmtDateTime } from '../lib/format';
import type { ValidationOutcome } from '../lib/validation';
import { PlainSignature } from './PlainVerdict';

const VERDICT_COLOURS: Record<TIndication, string> = {
  TOTAL_PASSED: 'green',
  TOTAL_FAILED: 'red',
  INDETERMINATE: 'orange',
};

export function VerdictTag({ indication }: { indication: TIndication }) {
  const { t } = useI18n();

  return (
    <Tag color={VERDICT_COLOURS[indication]} data-verdict={indication}>
      {t(`verdict.${indication}`)}
    </Tag>
  );
}

/**
 * The signatures of the shown version: from the validation report when the hub could check the
 * file, otherwise what the hub recorded when it signed (then marked "not checked").
 */
export function SignaturesPanel({
  versions,
  outcome,
}: {
  versions: TDocumentVersion[];
  outcome: ValidationOutcome | null;
}) {
  const { t } = useI18n();
  if (outcome?.state === 'ok') {
    const sigs = outcome.report.signatures;
    if (sigs.length === 0)
      return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('doc.noSignatures')} />;

    return (
      <List
        size="small"
        dataSource={sigs}
        data-testid="signatures"
        renderItem={(s) => (
          <List.Item>
            <Space direction="vertical" size={0} style={{ width: '100%' }}>
              <Space wrap>
                <VerdictTag indication={s.indication} />
                <Typography.Text strong>
                  {s.type === 'DOC_TIMESTAMP'
                    ? t('verify.docTimestamp')
                    : (s.signer?.commonName ?? s.name ?? s.fieldName)}
                </Typography.Text>
              </Space>
              {s.signer?.organization && (
                <Typography.Text type="secondary">{s.signer.organization}</Typography.Text>
              )}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {fmtDateTime(s.provenTime ?? s.claimedTime)}
                {s.level ? ` · ${t(`level.${s.level}`)}` : ''}
              </Typography.Text>
              <PlainSignature s={s} />
            </Space>
          </List.Item>
        )}
      />
    );
  }
  const recorded = versions.filter((v) => v.signature);
  if (recorded.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('doc.noSignatures')} />;

  return (
    <List
      size="small"
      dataSource={recorded}
      data-testid="signatures"
      renderItem={(v) => (
        <List.Item>
          <Space direction="vertical" size={0}>
            <Space>
              <Tag>{outcome === null ? t('doc.verdictPending') : t('doc.verdictUnavailable')}</Tag>
              <Typography.Text strong>{v.signature!.signer}</Typography.Text>
            </Space>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(`sign.kind.${v.signature!.kind === 'seal' ? 'seal' : 'personal'}`)} ·{' '}
              {v.signature!.level} · {fmtDateTime(v.signature!.signedAt)}
            </Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );
}
