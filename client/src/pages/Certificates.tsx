import { Card, Table, Tag } from 'antd';
import type { TCertificate } from '../../../server/src/contracts/pki';
import { useI18n } from '../i18n/i18n';
import { get } from '../lib/api';
import { fmtDate } from '../lib/format';
import { useAsync } from '../lib/useAsync';

export function Certificates() {
  const { t } = useI18n();
  const { data, loading, error } = useAsync(() => get<TCertificate[]>('/certificates'), []);

  return (
    <Card title={<span data-testid="page-title">{t('cert.title')}</span>}>
      {error && <Tag color="red">{error}</Tag>}
      <Table<TCertificate>
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        pagination={{ pageSize: 20 }}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          {
            title: t('cert.subject'),
            render: (_, c) =>
              `${c.subject.commonName}${c.subject.organization ? ` — ${c.subject.organization}` : ''}`,
          },
          { title: t('cert.kind'), dataIndex: 'kind', width: 100 },
          {
            title: t('cert.serial'),
            dataIndex: 'serialHex',
            width: 160,
            render: (s: string) => <code>{s.slice(0, 16)}</code>,
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
            width: 130,
            render: (s: TCertificate['status']) => (
              <Tag color={s === 'good' ? 'green' : 'red'}>
                {t(s === 'good' ? 'cert.good' : 'cert.revoked')}
              </Tag>
            ),
          },
        ]}
      />
    </Card>
  );
}
