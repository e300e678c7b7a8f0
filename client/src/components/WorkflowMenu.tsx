import { CheckSquareOutlined, FileTextOutlined, FormOutlined } from '@ant-design/icons';
import { App, Badge } from 'antd';
import { useEffect } from 'react';
import { useI18n } from '../i18n/i18n';
import { useAuth } from '../lib/auth';
import { useWorkflowCounts } from '../lib/workflow';

function Counted({ label, n, id }: { label: string; n: number; id: string }) {
  return (
    <span>
      {label}{' '}
      <Badge
        count={n}
        size="small"
        offset={[4, -2]}
        data-testid={`count-${id}`}
        title={String(n)}
      />
    </span>
  );
}

const NOTICES = {
  submitted: 'wf.live.submitted',
  returned: 'wf.live.returned',
  signed: 'wf.live.signed',
} as const;

/** "A document awaits your signature", "returned", "signed": to the people a move concerns. */
function useWorkflowNotices(): void {
  const { t } = useI18n();
  const { events, session } = useAuth();
  const { notification } = App.useApp();
  const me = session?.user.id;
  useEffect(
    () =>
      events?.on('workflow:changed', (e) => {
        const key = NOTICES[e.data.action as keyof typeof NOTICES];
        if (!key || !me || !e.data.to.includes(me) || e.data.by === me) return;
        notification.info({
          message: t(key, { subject: e.data.subject, by: e.data.byName }),
          ...(e.data.comment ? { description: e.data.comment } : {}),
          placement: 'bottomRight',
          // a request to act: left up long enough to be read
          duration: 10,
        });
      }),
    [events, me, notification, t],
  );
}

/**
 * The menu entries of trình ký, each with its live count: my drafts (anyone who drafts),
 * awaiting my signature (signers), signed and to release (clerks).
 */
export function useWorkflowMenu() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const counts = useWorkflowCounts();
  useWorkflowNotices();

  return [
    ...(hasRole('clerk', 'org_admin', 'signer')
      ? [
          {
            key: 'drafts',
            icon: <FileTextOutlined />,
            label: <Counted label={t('nav.drafts')} n={counts.drafts} id="drafts" />,
          },
        ]
      : []),
    ...(hasRole('signer')
      ? [
          {
            key: 'toSign',
            icon: <FormOutlined />,
            label: <Counted label={t('nav.toSign')} n={counts['to-sign']} id="to-sign" />,
          },
        ]
      : []),
    ...(hasRole('clerk')
      ? [
          {
            key: 'toRelease',
            icon: <CheckSquareOutlined />,
            label: <Counted label={t('nav.toRelease')} n={counts['to-release']} id="to-release" />,
          },
        ]
      : []),
  ];
}
