import { Collapse, Descriptions, List, Space, Tag, Typography } from 'antd';
import type { TSignatureReport } from '../../../server/src/lib/validation/report.schemas';
import { useI18n, type MessageKey } from '../i18n/i18n';
import { fmtDateTime } from '../lib/format';

/**
 * A validation verdict as lay users read it: one plain sentence per signature, the technical
 * details (certificates, revocation, what was added after signing, the validator's notes) folded
 * under "Chi tiết kỹ thuật". No codes, no distinguished names, no English.
 */

/** The sentence saying what the verdict means for this signature. */
export function verdictKey(s: TSignatureReport): MessageKey {
  if (s.indication === 'TOTAL_PASSED')
    return s.type === 'DOC_TIMESTAMP' ? 'plain.ts.TOTAL_PASSED' : 'plain.sig.TOTAL_PASSED';
  if (s.subIndication) return `plain.${s.subIndication}`;

  return `plain.${s.indication}`;
}

/** "CN=Nguyễn Văn A, 2.5.4.12=Chủ tịch, O=UBND…" → "Nguyễn Văn A"; the whole string otherwise. */
export function commonName(dn: string): string {
  const cn = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(dn)?.[1];

  return (cn ?? dn).replace(/\\,/g, ',').trim();
}

/** Changes after the signature that are not part of the signed content (later signatures, DSS). */
export function onlyAllowedAdditions(s: TSignatureReport): boolean {
  return !s.coversWholeDocument && s.modifications.every((m) => m.allowed);
}

export function VerdictSentence({ s }: { s: TSignatureReport }) {
  const { t } = useI18n();
  const type =
    s.indication === 'TOTAL_PASSED'
      ? undefined
      : s.indication === 'TOTAL_FAILED'
        ? 'danger'
        : 'warning';

  return (
    <Typography.Text
      type={type}
      data-testid="verdict-sentence"
      data-subindication={s.subIndication ?? ''}
    >
      {t(verdictKey(s))}
    </Typography.Text>
  );
}

function kindLabel(kind: string): MessageKey {
  const known = [
    'page-content',
    'page',
    'pages-tree',
    'font',
    'xobject',
    'resource',
    'resources',
    'annotation',
    'annotation-appearance',
    'annots-array',
    'signature-widget',
    'signature-field',
    'signature-dict',
    'signature-appearance',
    'doc-timestamp',
    'dss',
    'acroform',
    'acroform-fields',
    'acroform-resources',
    'form-field',
    'form-widget',
    'form-appearance',
    'catalog',
    'catalog-other',
    'info',
    'metadata',
    'structure',
  ];

  return known.includes(kind) ? (`kind.${kind}` as MessageKey) : 'kind.other';
}

/** What was added or changed after the signature, grouped so the same line is not repeated. */
function changeLines(s: TSignatureReport, t: ReturnType<typeof useI18n>['t']): string[] {
  const lines = s.modifications.map((m) =>
    [
      `${t(`verify.change.${m.change}`)} ${t(kindLabel(m.kind))}`,
      m.page ? ` (${t('verify.change.page', { n: m.page })})` : '',
      ` — ${m.allowed ? t('verify.change.allowed') : t('verify.change.forbidden')}`,
    ].join(''),
  );

  return [...new Set(lines)];
}

export function TechnicalDetails({ s }: { s: TSignatureReport }) {
  const { t, lang } = useI18n();
  const notes = [...s.messages, ...s.warnings].filter(
    (m) => m.code !== 'SIGNATURE_VALID' && m.code !== 'TIMESTAMP_VALID',
  );
  const changes = changeLines(s, t);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={1} bordered>
        {s.signer && (
          <Descriptions.Item label={t('verify.signer')}>
            {s.signer.commonName ?? commonName(s.signer.subject)}
          </Descriptions.Item>
        )}
        {s.signer?.organization && (
          <Descriptions.Item label={t('verify.organization')}>
            {s.signer.organization}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('verify.claimedTime2')}>
          {fmtDateTime(s.claimedTime)}
        </Descriptions.Item>
        <Descriptions.Item label={t('verify.provenTime2')}>
          {s.timestamp
            ? `${fmtDateTime(s.timestamp.genTime)}${
                s.timestamp.tsa
                  ? `, ${t('verify.tsaBy', { tsa: commonName(s.timestamp.tsa) })}`
                  : ''
              }`
            : fmtDateTime(s.provenTime)}
        </Descriptions.Item>
        {s.level && (
          <Descriptions.Item label={t('verify.levelPlain')}>
            <span data-testid="signature-level" data-level={s.level}>
              {t(`level.${s.level}`)}
            </span>
          </Descriptions.Item>
        )}
      </Descriptions>
      {s.chain.length > 0 && (
        <>
          <Typography.Text strong>{t('verify.chainPlain')}</Typography.Text>
          <List
            size="small"
            bordered
            dataSource={s.chain}
            renderItem={(c) => (
              <List.Item>
                <Space wrap>
                  <Typography.Text>{commonName(c.subject)}</Typography.Text>
                  {c.trustAnchor && <Tag>{t('verify.rootTrusted')}</Tag>}
                  {c.revocation && <Tag>{t(`verify.rev.${c.revocation.status}`)}</Tag>}
                </Space>
              </List.Item>
            )}
          />
        </>
      )}
      {changes.length > 0 && (
        <>
          <Typography.Text strong>{t('verify.changesPlain')}</Typography.Text>
          <List
            size="small"
            bordered
            dataSource={changes}
            renderItem={(l) => <List.Item>{l}</List.Item>}
          />
        </>
      )}
      {notes.length > 0 && (
        <>
          <Typography.Text strong>{t('verify.notesPlain')}</Typography.Text>
          <List
            size="small"
            bordered
            dataSource={notes}
            renderItem={(m) => (
              <List.Item data-testid="verify-message">{lang === 'vi' ? m.vi : m.en}</List.Item>
            )}
          />
        </>
      )}
    </Space>
  );
}

/** The verdict sentence, a calm note about later additions, and the folded details. */
export function PlainSignature({ s }: { s: TSignatureReport }) {
  const { t } = useI18n();
  const tampered = s.modifications.some((m) => !m.allowed);

  return (
    <Space direction="vertical" size={4} style={{ width: '100%' }}>
      <VerdictSentence s={s} />
      {s.indication === 'TOTAL_PASSED' && onlyAllowedAdditions(s) && (
        <Typography.Text type="secondary">{t('verify.laterAdditions')}</Typography.Text>
      )}
      {tampered && s.indication !== 'TOTAL_PASSED' && s.subIndication !== 'HASH_FAILURE' && (
        <Typography.Text type="danger">{t('verify.contentChanged')}</Typography.Text>
      )}
      <Collapse
        size="small"
        ghost
        items={[
          {
            key: 'tech',
            label: t('verify.technical'),
            children: <TechnicalDetails s={s} />,
          },
        ]}
      />
    </Space>
  );
}
