import { Alert, Button, Select, Space } from 'antd';
import { useEffect, useState, type ReactElement } from 'react';
import type { TSignerOption, TWorkflowPolicyRead } from '../../../server/src/contracts/workflow';
import { useI18n } from '../i18n/i18n';
import { useAsync } from '../lib/useAsync';
import { listSigners, workflowPolicy } from '../lib/workflow';

/** Compose's "save and submit for signature": choose the leader, then the draft goes to him. */
export function SubmitToSigner({
  busy,
  onSubmit,
}: {
  busy: boolean;
  onSubmit: (signerId: string) => void;
}) {
  const { t } = useI18n();
  const [signerId, setSignerId] = useState<string>();
  const { data: signers } = useAsync<TSignerOption[]>(listSigners, []);

  return (
    <Space wrap>
      <Select
        style={{ width: 240 }}
        placeholder={t('wf.chooseSigner')}
        value={signerId}
        onChange={setSignerId}
        options={(signers ?? []).map((s) => ({ value: s.id, label: s.fullName }))}
        aria-label={t('wf.chooseSigner')}
        data-testid="compose-signer"
      />
      <Button
        size="large"
        disabled={!signerId || busy}
        onClick={() => onSubmit(signerId!)}
        data-testid="compose-submit"
      >
        {t('wf.saveAndSubmit')}
      </Button>
    </Space>
  );
}

/**
 * Said before Send: what is sent straight from this screen carries no signature. Refused where
 * the organization's policy says so (then Send is pointless), a warning otherwise.
 */
export function useUnsignedSend(): { blocked: boolean; notice: ReactElement } {
  const { t } = useI18n();
  const [policy, setPolicy] = useState<TWorkflowPolicyRead | null>(null);
  useEffect(() => void workflowPolicy().then(setPolicy, () => undefined), []);
  const blocked = policy?.stored === true && policy.unsignedDispatch === 'refuse';

  return {
    blocked,
    notice: (
      <Alert
        type={blocked ? 'error' : 'warning'}
        showIcon
        message={blocked ? t('wf.unsignedWarning') : t('wf.unsignedAllowed')}
        style={{ marginBottom: 16 }}
        data-testid="compose-unsigned"
      />
    ),
  };
}
