import { KeyOutlined, PlusOutlined, WarningOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import type { TApiKey } from '../../../../server/src/contracts/auth';
import type { AnswerOf } from '../../../../server/src/contracts/endpoint';
import type { TRole } from '../../../../server/src/contracts/common';
import { useI18n } from '../../i18n/i18n';
import { call, errorText, routes } from '../../lib/api';
import { fmtDate, fmtDateTime } from '../../lib/format';
import { defaultRoles, useDefaultRoles, useGrantableRoles } from '../../lib/grants';
import { useAsync } from '../../lib/useAsync';
import { RoleTags } from './Users';

/** An agency system works as a clerk, an enterprise's as its user, an inspection's as an auditor. */
const KEY_ROLES: TRole[] = ['clerk', 'enterprise_user', 'auditor'];
type Created = AnswerOf<typeof routes.apiKeys.create>;

/** The secret exists in this dialog only: the hub keeps a hash. */
function ShownOnce({ created, onClose }: { created: Created | null; onClose: () => void }) {
  const { t } = useI18n();

  return (
    <Modal
      open={created !== null}
      title={
        <span>
          <KeyOutlined /> {t('apiKey.shownOnce')}
        </span>
      }
      closable={false}
      maskClosable={false}
      keyboard={false}
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="api-key-saved">
          {t('apiKey.saved')}
        </Button>
      }
      width={640}
    >
      <Alert
        type="warning"
        showIcon
        icon={<WarningOutlined />}
        message={t('apiKey.warning')}
        style={{ marginBottom: 16 }}
      />
      <Typography.Text type="secondary">{created?.name}</Typography.Text>
      <Typography.Paragraph
        copyable={{
          text: created?.key,
          tooltips: [t('common.copy'), t('common.copied')],
        }}
        code
        data-testid="api-key-secret"
        style={{ fontSize: 13, wordBreak: 'break-all', marginTop: 8 }}
      >
        {created?.key}
      </Typography.Paragraph>
    </Modal>
  );
}

export function ApiKeys() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { data, loading, error, reload } = useAsync(() => call(routes.apiKeys.list), []);
  const [form] = Form.useForm<{ name: string; roles: TRole[] }>();
  const roles = useGrantableRoles().filter((r) => KEY_ROLES.includes(r));
  useDefaultRoles(form, roles);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const create = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      setCreated(await call(routes.apiKeys.create, { body: v }));
      setAdding(false);
      form.resetFields();
      void reload();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (k: TApiKey) => {
    try {
      await call(routes.apiKeys.revoke, { params: k });
      void reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <Card
      title={<span data-testid="page-title">{t('apiKey.title')}</span>}
      extra={
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setAdding(true)}
          data-testid="api-key-create"
        >
          {t('apiKey.create')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('apiKey.intro')}</Typography.Paragraph>
      {error && <Tag color="red">{error}</Tag>}
      <Table<TApiKey>
        // on a phone the table scrolls inside its card, not the whole page
        scroll={{ x: 'max-content' }}
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('common.empty') }}
        onRow={(k) => ({ 'data-api-key': k.prefix }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('apiKey.name'),
            dataIndex: 'name',
            render: (n: string) => <strong>{n}</strong>,
          },
          {
            title: t('apiKey.prefix'),
            dataIndex: 'prefix',
            render: (p: string) => <code>ltk_{p}_…</code>,
          },
          {
            title: t('apiKey.roles'),
            dataIndex: 'roles',
            render: (r: TApiKey['roles']) => <RoleTags roles={r} />,
          },
          { title: t('apiKey.createdAt'), dataIndex: 'createdAt', width: 150, render: fmtDateTime },
          {
            title: t('apiKey.state'),
            dataIndex: 'revokedAt',
            width: 170,
            render: (at: string | null) =>
              at ? (
                <Tag>{t('apiKey.revoked', { at: fmtDate(at) })}</Tag>
              ) : (
                <Tag color="green">{t('apiKey.active')}</Tag>
              ),
          },
          {
            title: t('common.actions'),
            width: 110,
            render: (_, k) =>
              !k.revokedAt && (
                <Popconfirm
                  title={t('apiKey.revokeConfirm', { name: k.name })}
                  okText={t('apiKey.revoke')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => revoke(k)}
                >
                  <Button danger size="small">
                    {t('apiKey.revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        open={adding}
        title={t('apiKey.create')}
        okText={t('common.create')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onCancel={() => setAdding(false)}
        onOk={() => void create().catch(() => undefined)}
      >
        <Form form={form} layout="vertical" initialValues={{ roles: defaultRoles(roles) }}>
          <Form.Item
            name="name"
            label={t('apiKey.name')}
            rules={[{ required: true, message: t('common.required', { field: t('apiKey.name') }) }]}
          >
            <Input maxLength={100} placeholder={t('apiKey.namePlaceholder')} />
          </Form.Item>
          <Form.Item
            name="roles"
            label={t('apiKey.roles')}
            rules={[
              { required: true, message: t('common.required', { field: t('apiKey.roles') }) },
            ]}
          >
            <Checkbox.Group options={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <ShownOnce created={created} onClose={() => setCreated(null)} />
    </Card>
  );
}
