import {
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  TeamOutlined,
  BarChartOutlined,
  EditOutlined,
  InboxOutlined,
  LogoutOutlined,
  SafetyCertificateOutlined,
  SendOutlined,
  TranslationOutlined,
} from '@ant-design/icons';
import { Badge, Button, Layout, Menu, Space, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { logout } from '../lib/api';
import { useAuth, useLive } from '../lib/auth';
import { navigate, PATHS, type MenuRoute, type Route } from '../lib/router';
import { useWorkflowMenu } from './WorkflowMenu';

const { Header, Sider, Content } = Layout;

function LangSwitch() {
  const { lang, setLang, t } = useI18n();

  return (
    <Button
      type="text"
      icon={<TranslationOutlined />}
      onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}
      aria-label={t('lang.label')}
      data-testid="lang-switch"
      style={{ color: 'inherit' }}
    >
      {t('lang.switch')}
    </Button>
  );
}

export function Brand({ light }: { light?: boolean }) {
  const { t } = useI18n();

  return (
    <div style={{ lineHeight: 1.2, color: light ? '#fff' : undefined }}>
      <div style={{ fontSize: 20, fontWeight: 700, letterSpacing: 0.3 }}>{t('app.name')}</div>
      <div style={{ fontSize: 12, opacity: 0.8 }}>{t('app.tagline')}</div>
    </div>
  );
}

export function Shell({ route, children }: { route: Route; children: ReactNode }) {
  const { t } = useI18n();
  const { session, hasRole } = useAuth();
  const live = useLive();
  const workflow = useWorkflowMenu();
  // the hub refuses these calls to other roles anyway; the menu only hides what cannot work
  const admin = [
    ...(hasRole('hub_admin', 'org_admin')
      ? [
          { key: 'orgs', icon: <ApartmentOutlined />, label: t('nav.orgs') },
          { key: 'users', icon: <TeamOutlined />, label: t('nav.users') },
        ]
      : []),
    ...(hasRole('org_admin')
      ? [{ key: 'apiKeys', icon: <ApiOutlined />, label: t('nav.apiKeys') }]
      : []),
  ];
  const adminItems = admin.length
    ? [{ type: 'group' as const, key: 'admin', label: t('nav.admin'), children: admin }]
    : [];
  const items = session
    ? [
        { key: 'inbox', icon: <InboxOutlined />, label: t('nav.inbox') },
        ...(hasRole('clerk', 'org_admin', 'signer')
          ? [{ key: 'outbox', icon: <SendOutlined />, label: t('nav.outbox') }]
          : []),
        ...(hasRole('clerk', 'org_admin', 'signer')
          ? [{ key: 'compose', icon: <EditOutlined />, label: t('nav.compose') }]
          : []),
        ...workflow,
        { key: 'verify', icon: <SafetyCertificateOutlined />, label: t('nav.verify') },
        { key: 'certificates', icon: <AuditOutlined />, label: t('nav.certificates') },
        { key: 'dashboard', icon: <BarChartOutlined />, label: t('nav.dashboard') },
        ...adminItems,
      ]
    : [{ key: 'verify', icon: <SafetyCertificateOutlined />, label: t('nav.verify') }];
  const selected = route.name === 'document' ? [] : [route.name];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider
        width={220}
        breakpoint="lg"
        collapsedWidth={64}
        theme="dark"
        style={{ background: '#0b2a4a' }}
      >
        <div style={{ padding: '18px 16px 14px' }}>
          <Brand light />
        </div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={selected}
          items={items}
          onClick={(e) => navigate(PATHS[e.key as MenuRoute])}
          style={{ background: 'transparent', borderInlineEnd: 0 }}
        />
      </Sider>
      <Layout>
        <Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
            borderBottom: '1px solid #e5e8ef',
            height: 56,
          }}
        >
          <Space size="middle">
            {session && (
              <Tooltip title={live ? t('live.on') : t('live.off')}>
                <Badge
                  status={live ? 'success' : 'default'}
                  text={live ? t('live.on') : t('live.off')}
                  data-testid="live"
                />
              </Tooltip>
            )}
            {session && (
              <Typography.Text strong data-testid="user-name">
                {session.user.fullName}
              </Typography.Text>
            )}
            <LangSwitch />
            {session && (
              <Button icon={<LogoutOutlined />} onClick={() => void logout()}>
                {t('nav.logout')}
              </Button>
            )}
          </Space>
        </Header>
        <Content style={{ padding: 24, maxWidth: 1400, width: '100%', margin: '0 auto' }}>
          {children}
        </Content>
      </Layout>
    </Layout>
  );
}

export { LangSwitch };
