import { PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Tag,
  TreeSelect,
} from 'antd';
import { useState } from 'react';
import type { TUser, TUserCreate } from '../../../../server/src/contracts/auth';
import type { TRole } from '../../../../server/src/contracts/common';
import type { TOrgNode } from '../../../../server/src/contracts/orgs';
import { useI18n } from '../../i18n/i18n';
import { call, errorText, routes } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { defaultRoles, useDefaultRoles, useGrantableRoles } from '../../lib/grants';
import { useAsync } from '../../lib/useAsync';

type Node = TOrgNode;
const ROLE_COLOR: Record<TRole, string> = {
  hub_admin: 'magenta',
  org_admin: 'volcano',
  clerk: 'blue',
  signer: 'geekblue',
  enterprise_user: 'purple',
  auditor: 'cyan',
};

export function RoleTags({ roles }: { roles: TRole[] }) {
  const { t } = useI18n();

  return (
    <Space size={[0, 4]} wrap>
      {roles.map((r) => (
        <Tag key={r} color={ROLE_COLOR[r]}>
          {t(`role.${r}`)}
        </Tag>
      ))}
    </Space>
  );
}

function CreateUser({
  orgId,
  open,
  onDone,
}: {
  orgId?: string;
  open: boolean;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<TUserCreate>();
  const [busy, setBusy] = useState(false);
  const roles = useGrantableRoles(orgId);
  useDefaultRoles(form, roles);
  const need = (field: string) => [{ required: true, message: t('common.required', { field }) }];
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const body: TUserCreate = {
        ...v,
        ...(v.title ? {} : { title: undefined }),
        ...(v.email ? {} : { email: undefined }),
        ...(orgId ? { orgId } : {}),
      };
      const made = await call(routes.users.create, { body });
      message.success(t('user.created', { name: made.fullName }));
      form.resetFields();
      onDone();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('user.create')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={onDone}
      onOk={() => void submit().catch(() => undefined)}
      width={560}
    >
      <Form form={form} layout="vertical" initialValues={{ roles: defaultRoles(roles) }}>
        <Form.Item name="fullName" label={t('user.fullName')} rules={need(t('user.fullName'))}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item
          name="username"
          label={t('user.username')}
          extra={t('user.usernameHelp')}
          rules={[
            ...need(t('user.username')),
            { pattern: /^[a-z0-9._-]{3,64}$/, message: t('user.usernameHelp') },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="title" label={t('user.jobTitle')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="email" label={t('user.email')} rules={[{ type: 'email' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="roles" label={t('user.roles')} rules={need(t('user.roles'))}>
          <Checkbox.Group options={roles.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('user.password')}
          extra={t('user.passwordHelp')}
          rules={[
            ...need(t('user.password')),
            { min: 10, message: t('user.passwordHelp') },
            { pattern: /(?=.*\d)(?=.*[A-Za-zÀ-ỹ])/, message: t('user.passwordHelp') },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Users of the caller's organization (a hub admin may pick another one). */
export function Users() {
  const { t } = useI18n();
  const { session, hasRole } = useAuth();
  const [orgId, setOrgId] = useState<string | undefined>(session?.user.orgId);
  const [adding, setAdding] = useState(false);
  const isHub = hasRole('hub_admin');
  const tree = useAsync(() => (isHub ? call(routes.orgs.tree) : Promise.resolve([])), [isHub]);
  const { data, loading, error, reload } = useAsync(
    () => call(routes.users.list, { query: { orgId: isHub ? orgId : undefined } }),
    [orgId, isHub],
  );
  const toTreeData = (ns: Node[]): object[] =>
    ns.map((n) => ({ value: n.id, title: n.name, children: toTreeData(n.children) }));

  return (
    <Card
      title={<span data-testid="page-title">{t('user.title')}</span>}
      extra={
        <Space>
          {isHub && (
            <TreeSelect
              style={{ width: 320 }}
              value={orgId}
              onChange={setOrgId}
              showSearch
              treeNodeFilterProp="title"
              treeDefaultExpandAll
              treeData={toTreeData(tree.data ?? [])}
              aria-label={t('user.org')}
            />
          )}
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setAdding(true)}
            data-testid="user-create"
          >
            {t('user.create')}
          </Button>
        </Space>
      }
    >
      {error && <Tag color="red">{error}</Tag>}
      <Table<TUser>
        // on a phone the table scrolls inside its card, not the whole page
        scroll={{ x: 'max-content' }}
        rowKey="id"
        loading={loading}
        dataSource={data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          {
            title: t('user.fullName'),
            dataIndex: 'fullName',
            render: (n: string, u) => (
              <span data-testid="user-row">
                <strong>{n}</strong>
                {u.title && <div style={{ color: '#667085', fontSize: 12 }}>{u.title}</div>}
              </span>
            ),
          },
          {
            title: t('user.username'),
            dataIndex: 'username',
            render: (s: string) => <code>{s}</code>,
          },
          { title: t('user.email'), dataIndex: 'email', render: (s?: string) => s ?? '—' },
          {
            title: t('user.roles'),
            dataIndex: 'roles',
            render: (r: TRole[]) => <RoleTags roles={r} />,
          },
          {
            title: t('apiKey.state'),
            dataIndex: 'active',
            width: 120,
            render: (a: boolean) => (
              <Tag color={a ? 'green' : 'default'}>{t(a ? 'user.active' : 'user.locked')}</Tag>
            ),
          },
        ]}
      />
      <CreateUser
        orgId={isHub ? orgId : undefined}
        open={adding}
        onDone={() => {
          setAdding(false);
          void reload();
        }}
      />
    </Card>
  );
}
