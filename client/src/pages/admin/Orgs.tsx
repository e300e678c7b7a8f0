import { PlusOutlined, EditOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Switch,
  Tag,
  Tree,
  TreeSelect,
} from 'antd';
import { useMemo, useState } from 'react';
import {
  ORG_KINDS,
  ORG_LEVELS,
  type TOrg,
  type TOrgCreate,
  type TOrgNode,
} from '../../../../server/src/contracts/orgs';
import { useI18n } from '../../i18n/i18n';
import { call, errorText, routes } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { foldVietnamese } from '../../lib/fold';
import { useAsync } from '../../lib/useAsync';

type Node = TOrgNode;
type Edit = { mode: 'create' } | { mode: 'edit'; org: TOrg } | null;
type FormValues = Omit<TOrgCreate, 'contact'> & {
  email?: string;
  phone?: string;
  address?: string;
  active?: boolean;
};

function flatten(nodes: Node[], out: Node[] = []): Node[] {
  for (const n of nodes) {
    out.push(n);
    flatten(n.children, out);
  }

  return out;
}

/** Keeps the branches that contain a match (accents ignored), so a match shows in its context. */
function filterTree(nodes: Node[], q: string): Node[] {
  if (!q) return nodes;

  return nodes.flatMap((n) => {
    const kids = filterTree(n.children, q);
    const hit = foldVietnamese(`${n.name} ${n.code}`).includes(q);

    return hit || kids.length ? [{ ...n, children: kids }] : [];
  });
}

function OrgForm({ edit, tree, onDone }: { edit: Edit; tree: Node[]; onDone: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { hasRole } = useAuth();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const isHub = hasRole('hub_admin');
  const creating = edit?.mode === 'create';
  const org = edit?.mode === 'edit' ? edit.org : null;
  const toTreeData = (ns: Node[]): object[] =>
    ns.map((n) => ({ value: n.id, title: n.name, children: toTreeData(n.children) }));
  const submit = async () => {
    const v = await form.validateFields();
    const contact = {
      ...(v.email ? { email: v.email } : {}),
      ...(v.phone ? { phone: v.phone } : {}),
      ...(v.address ? { address: v.address } : {}),
    };
    setBusy(true);
    try {
      if (creating) {
        const body: TOrgCreate = {
          code: v.code,
          name: v.name,
          kind: v.kind,
          level: v.level,
          contact,
          ...(v.shortName ? { shortName: v.shortName } : {}),
          ...(v.parentId ? { parentId: v.parentId } : {}),
        };
        const made = await call(routes.orgs.create, { body });
        message.success(t('org.created', { name: made.name }));
      } else if (org) {
        await call(routes.orgs.update, {
          params: { id: org.id },
          body: {
            name: v.name,
            shortName: v.shortName ?? '',
            contact,
            ...(isHub ? { level: v.level, active: v.active } : {}),
          },
        });
        message.success(t('common.saved'));
      }
      onDone();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={edit !== null}
      title={creating ? t('org.create') : t('org.edit')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onCancel={onDone}
      onOk={() => void submit().catch(() => undefined)}
      destroyOnHidden
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={
          org ? { ...org, ...org.contact } : { kind: 'agency', level: 'unit', active: true }
        }
      >
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item
              name="code"
              label={t('org.code')}
              tooltip={t('org.codeHelp')}
              rules={[
                { required: creating, message: t('common.required', { field: t('org.code') }) },
              ]}
            >
              <Input disabled={!creating} placeholder="000.00.00.H56" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="kind" label={t('org.kind')}>
              <Select
                disabled={!creating}
                options={ORG_KINDS.map((k) => ({ value: k, label: t(`org.kind.${k}`) }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          name="name"
          label={t('org.name')}
          rules={[{ required: true, message: t('common.required', { field: t('org.name') }) }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="shortName" label={t('org.shortName')}>
              <Input maxLength={30} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="level" label={t('org.level')}>
              <Select
                disabled={!isHub}
                options={ORG_LEVELS.map((l) => ({ value: l, label: t(`org.level.${l}`) }))}
              />
            </Form.Item>
          </Col>
        </Row>
        {creating && (
          <Form.Item name="parentId" label={t('org.parent')}>
            <TreeSelect
              allowClear
              showSearch
              treeNodeFilterProp="title"
              placeholder={t('org.noParent')}
              treeData={toTreeData(tree)}
              treeDefaultExpandAll
            />
          </Form.Item>
        )}
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="email" label={t('org.email')} rules={[{ type: 'email' }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="phone" label={t('org.phone')}>
              <Input maxLength={30} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="address" label={t('org.address')}>
          <Input maxLength={300} />
        </Form.Item>
        {!creating && isHub && (
          <Form.Item name="active" label={t('org.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

/** Organization tree; a hub admin adds and edits any, an org admin edits its own. */
export function Orgs() {
  const { t } = useI18n();
  const { session, hasRole } = useAuth();
  const { data, loading, error, reload } = useAsync(() => call(routes.orgs.tree), []);
  const [selected, setSelected] = useState<string | undefined>(session?.user.orgId);
  const [edit, setEdit] = useState<Edit>(null);
  const [q, setQ] = useState('');
  const all = useMemo(() => flatten(data ?? []), [data]);
  const shown = useMemo(() => filterTree(data ?? [], foldVietnamese(q.trim())), [data, q]);
  const org = all.find((o) => o.id === selected);
  const canEdit = !!org && (hasRole('hub_admin') || org.id === session?.user.orgId);
  const toTree = (ns: Node[]): object[] =>
    ns.map((n) => ({
      key: n.id,
      title: (
        <span data-testid="org-node">
          {n.name}
          {n.kind !== 'agency' && (
            <Tag style={{ marginLeft: 6 }} color={n.kind === 'enterprise' ? 'purple' : 'gold'}>
              {t(`org.kind.${n.kind}`)}
            </Tag>
          )}
        </span>
      ),
      children: toTree(n.children),
    }));

  return (
    <Card
      title={<span data-testid="page-title">{t('org.title')}</span>}
      extra={
        hasRole('hub_admin') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEdit({ mode: 'create' })}
            data-testid="org-create"
          >
            {t('org.create')}
          </Button>
        )
      }
    >
      {error && <Tag color="red">{error}</Tag>}
      <Row gutter={24}>
        <Col xs={24} md={10}>
          <Input.Search
            allowClear
            placeholder={t('org.search')}
            aria-label={t('org.search')}
            onChange={(e) => setQ(e.target.value)}
            style={{ marginBottom: 12 }}
          />
          <div style={{ maxHeight: 560, overflow: 'auto' }}>
            {!loading && all.length > 0 && (
              <Tree
                blockNode
                defaultExpandAll
                selectedKeys={selected ? [selected] : []}
                onSelect={(keys) => keys[0] && setSelected(String(keys[0]))}
                treeData={toTree(shown) as never}
              />
            )}
          </div>
        </Col>
        <Col xs={24} md={14}>
          {org ? (
            <Descriptions
              bordered
              size="small"
              column={1}
              data-testid="org-details"
              title={org.name}
              extra={
                canEdit && (
                  <Button icon={<EditOutlined />} onClick={() => setEdit({ mode: 'edit', org })}>
                    {t('common.edit')}
                  </Button>
                )
              }
              items={[
                { key: 'code', label: t('org.code'), children: <code>{org.code}</code> },
                { key: 'short', label: t('org.shortName'), children: org.shortName ?? '—' },
                { key: 'kind', label: t('org.kind'), children: t(`org.kind.${org.kind}`) },
                { key: 'level', label: t('org.level'), children: t(`org.level.${org.level}`) },
                {
                  key: 'parent',
                  label: t('org.parent'),
                  children: all.find((o) => o.id === org.parentId)?.name ?? '—',
                },
                { key: 'email', label: t('org.email'), children: org.contact.email ?? '—' },
                { key: 'phone', label: t('org.phone'), children: org.contact.phone ?? '—' },
                { key: 'address', label: t('org.address'), children: org.contact.address ?? '—' },
                {
                  key: 'active',
                  label: t('org.active'),
                  children: (
                    <Tag color={org.active ? 'green' : 'default'}>
                      {t(org.active ? 'org.active' : 'org.inactive')}
                    </Tag>
                  ),
                },
              ]}
            />
          ) : (
            <Empty description={t('org.pick')} />
          )}
        </Col>
      </Row>
      <OrgForm
        edit={edit}
        tree={data ?? []}
        onDone={() => {
          setEdit(null);
          void reload();
        }}
      />
    </Card>
  );
}
