import { Input, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { isHubOrg } from '../../../server/src/contracts/grants';
import type { TOrgNode as OrgNode } from '../../../server/src/contracts/orgs';
import { useI18n } from '../i18n/i18n';
import { call, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { foldVietnamese } from '../lib/fold';
import { useAsync } from '../lib/useAsync';

/** Keeps the nodes whose name or code matches, and the ancestors leading to them. */
function filterTree(nodes: OrgNode[], folded: string, own: string | undefined): DataNode[] {
  const out: DataNode[] = [];
  for (const n of nodes) {
    // the hub carries documents, it does not receive them (its own organization is for its admins)
    if (isHubOrg(n)) {
      out.push(...filterTree(n.children, folded, own));
      continue;
    }
    const children = filterTree(n.children, folded, own);
    const hit =
      !folded || foldVietnamese(n.name).includes(folded) || n.code.toLowerCase().includes(folded);
    if (hit || children.length > 0) {
      out.push({
        key: n.id,
        title: (
          <span data-testid="org-node">
            {n.name}{' '}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {n.code}
            </Typography.Text>
          </span>
        ),
        disableCheckbox: n.id === own,
        children: hit && !folded ? filterTree(n.children, '', own) : children,
      });
    }
  }

  return out;
}

export function RecipientPicker({
  value,
  onChange,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
}) {
  const { t } = useI18n();
  const { session } = useAuth();
  const [search, setSearch] = useState('');
  const { data } = useAsync(() => call(routes.orgs.tree), []);
  const folded = foldVietnamese(search);
  const treeData = useMemo(
    () => filterTree(data ?? [], folded, session?.user.orgId),
    [data, folded, session],
  );

  return (
    <div>
      <Input.Search
        allowClear
        placeholder={t('compose.searchOrg')}
        aria-label={t('compose.searchOrg')}
        onChange={(e) => setSearch(e.target.value)}
        style={{ marginBottom: 8 }}
        data-testid="org-search"
      />
      <div
        style={{
          maxHeight: 360,
          overflow: 'auto',
          border: '1px solid #eef0f4',
          borderRadius: 6,
          padding: 8,
        }}
      >
        <Tree
          checkable
          checkStrictly
          defaultExpandAll
          // re-expand once the tree has arrived and after each search
          key={`${data ? 'loaded' : 'loading'}:${folded}`}
          treeData={treeData}
          checkedKeys={value}
          onCheck={(keys) => onChange((Array.isArray(keys) ? keys : keys.checked).map(String))}
        />
      </div>
      <Typography.Text type="secondary" data-testid="recipients-count">
        {t('compose.selected', { n: value.length })}
      </Typography.Text>
    </div>
  );
}
