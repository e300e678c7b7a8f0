import { Alert, App, Button, InputNumber, List, Space, Steps, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { TOwnerDocument } from '../../../server/src/contracts/documents';
import type { TOrgNode as OrgNode } from '../../../server/src/contracts/orgs';
import type { TWorkflowPolicyRead } from '../../../server/src/contracts/workflow';
import { useI18n } from '../i18n/i18n';
import { call, errorText, routes } from '../lib/api';
import { useAsync } from '../lib/useAsync';
import { workflowPolicy } from '../lib/workflow';
import { RecipientPicker } from './RecipientPicker';

function flatten(nodes: OrgNode[], into = new Map<string, string>()): Map<string, string> {
  for (const n of nodes) {
    into.set(n.id, n.name);
    flatten(n.children, into);
  }

  return into;
}

/** Is there a signature (the leader's or the seal) on the document? */
export function isSigned(doc: TOwnerDocument): boolean {
  return doc.versions.some((v) => v.signature && v.signature.kind !== 'timestamp');
}

/** Whether an unsigned document may go out, said before the clerk presses Send. */
export function UnsignedNotice({ doc }: { doc: TOwnerDocument }) {
  const { t } = useI18n();
  const [policy, setPolicy] = useState<TWorkflowPolicyRead | null>(null);
  useEffect(() => void workflowPolicy().then(setPolicy, () => undefined), []);
  if (isSigned(doc) || !policy) return null;

  return policy.unsignedDispatch === 'allow' ? (
    <Alert type="warning" showIcon message={t('wf.unsignedAllowed')} data-testid="wf-unsigned" />
  ) : (
    <Alert type="error" showIcon message={t('wf.unsignedWarning')} data-testid="wf-unsigned" />
  );
}

/**
 * The clerk's one release flow: number → seal → choose recipients (a list to review, not a
 * count) → send. Each step is the hub's; this only walks through them in order.
 */
export function ReleaseFlow({
  doc,
  onSeal,
  onChanged,
}: {
  doc: TOwnerDocument;
  onSeal: () => void;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const state = doc.workflow!.state;
  const [manual, setManual] = useState<number | null>(null);
  const [skipSeal, setSkipSeal] = useState(false);
  const [recipients, setRecipients] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // a double click sends once; another choice of recipients is another request
  const sendKey = useMemo(() => `release-${crypto.randomUUID()}`, [recipients]);
  const { data: tree } = useAsync(() => call(routes.orgs.tree), []);
  const names = useMemo(() => flatten(tree ?? []), [tree]);
  const step =
    state === 'signed' || state === 'draft' || state === 'returned'
      ? 0
      : state === 'numbered' && !skipSeal
        ? 1
        : 2;
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const number = () =>
    run(async () => {
      const d = await call(routes.workflow.number, {
        params: { id: doc.id },
        body: manual ? { number: manual } : {},
      });
      message.success(t('wf.release.numbered', { code: d.codeLabel }));
      onChanged();
    });
  const send = () =>
    run(async () => {
      await call(
        routes.exchange.dispatch,
        { body: { documentId: doc.id, recipients } },
        { headers: { 'idempotency-key': sendKey } },
      );
      message.success(t('wf.release.sent', { code: doc.codeLabel, n: recipients.length }));
      setRecipients([]);
      onChanged();
    });

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="wf-release">
      <Steps
        size="small"
        labelPlacement="vertical"
        current={step}
        items={[
          { title: t('wf.release.number') },
          { title: t('wf.release.seal') },
          { title: t('wf.release.recipients') },
          { title: t('wf.release.send') },
        ]}
      />
      {step === 0 && (
        <Space wrap>
          <InputNumber
            min={1}
            value={manual}
            onChange={(v) => setManual(v)}
            placeholder={t('wf.release.manualNumber')}
            style={{ width: 300 }}
            data-testid="wf-manual-number"
          />
          <Button
            type="primary"
            loading={busy}
            onClick={() => void number()}
            data-testid="wf-number"
          >
            {t('wf.release.numberNow')}
          </Button>
        </Space>
      )}
      {step === 1 && (
        <Space wrap>
          <Button type="primary" onClick={onSeal} data-testid="wf-seal">
            {t('wf.release.sealNow')}
          </Button>
          <Button onClick={() => setSkipSeal(true)}>{t('wf.release.skipSeal')}</Button>
        </Space>
      )}
      {step === 2 && (
        <>
          <RecipientPicker value={recipients} onChange={setRecipients} />
          {recipients.length > 0 && (
            <List
              size="small"
              header={t('wf.release.review', { n: recipients.length })}
              bordered
              dataSource={recipients}
              renderItem={(id) => (
                <List.Item data-testid="wf-review-item">{names.get(id) ?? id}</List.Item>
              )}
            />
          )}
          <UnsignedNotice doc={doc} />
          <Button
            type="primary"
            disabled={recipients.length === 0}
            loading={busy}
            onClick={() => void send()}
            data-testid="wf-send"
          >
            {t('wf.release.sendNow')}
          </Button>
        </>
      )}
      {error && (
        <Typography.Paragraph type="danger" data-testid="wf-error">
          {error}
        </Typography.Paragraph>
      )}
    </Space>
  );
}
