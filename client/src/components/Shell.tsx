import {
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  TeamOutlined,
  BarChartOutlined,
  EditOutlined,
  InboxOutlined,
  LogoutOutlined,
  MenuOutlined,
  SafetyCertificateOutlined,
  SendOutlined,
  TranslationOutlined,
} from '@ant-design/icons';
import { Badge, Button, Drawer, Grid, Layout, Menu, Space, Tooltip, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';
import { logout } from '../lib/api';
import { canUse } from '../lib/access';
import { useAuth, useLive } from '../lib/auth';
import { navigate, PATHS, type MenuRoute, type Route } from '../lib/router';
import { useWorkflowMenu } from './WorkflowMenu';

const { Header, Sider, Content } = Layout;

function LangSwitch({ compact }: { compact?: boolean }) {
  const { lang, setLang, t } = useI18n();

  return (
    <Button
      type="text"
      icon={<TranslationOutlined />}
      onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}
      // the accessible name starts with the visible text (WCAG 2.5.3)
      aria-label={`${compact ? (lang === 'vi' ? 'EN' : 'VI') : t('lang.switch')} (${t('lang.label')})`}
      data-testid="lang-switch"
      style={{ color: 'inherit' }}
    >
      {compact ? (lang === 'vi' ? 'EN' : 'VI') : t('lang.switch')}
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

/** Below 992 px (phones, small tablets) the menu is a drawer opened from the header. */
function usePhone(): boolean {
  const screens = Grid.useBreakpoint();

  return screens.lg === undefined ? window.innerWidth < 992 : !screens.lg;
}

export function Shell({ route, children }: { route: Route; children: ReactNode }) {
  const { t } = useI18n();
  const { session, hasRole } = useAuth();
  const live = useLive();
  const workflow = useWorkflowMenu();
  const phone = usePhone();
  const [drawer, setDrawer] = useState(false);
  const roles = session?.user.roles;
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
        ...(canUse('inbox', roles)
          ? [{ key: 'inbox', icon: <InboxOutlined />, label: t('nav.inbox') }]
          : []),
        ...(hasRole('clerk', 'org_admin', 'signer')
          ? [{ key: 'outbox', icon: <SendOutlined />, label: t('nav.outbox') }]
          : []),
        ...(hasRole('clerk', 'org_admin', 'signer')
          ? [{ key: 'compose', icon: <EditOutlined />, label: t('nav.compose') }]
          : []),
        ...workflow,
        { key: 'verify', icon: <SafetyCertificateOutlined />, label: t('nav.verify') },
        { key: 'certificates', icon: <AuditOutlined />, label: t('nav.certificates') },
        ...(canUse('dashboard', roles)
          ? [{ key: 'dashboard', icon: <BarChartOutlined />, label: t('nav.dashboard') }]
          : []),
        ...adminItems,
      ]
    : [{ key: 'verify', icon: <SafetyCertificateOutlined />, label: t('nav.verify') }];
  const selected = route.name === 'document' ? [] : [route.name];

  const menu = (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={selected}
      items={items}
      onClick={(e) => {
        setDrawer(false);
        navigate(PATHS[e.key as MenuRoute]);
      }}
      style={{ background: 'transparent', borderInlineEnd: 0 }}
    />
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!phone && (
        <Sider width={220} theme="dark" style={{ background: '#0b2a4a' }}>
          <div style={{ padding: '18px 16px 14px' }}>
            <Brand light />
          </div>
          <nav aria-label={t('nav.main')}>{menu}</nav>
        </Sider>
      )}
      {phone && (
        <Drawer
          open={drawer}
          onClose={() => setDrawer(false)}
          placement="left"
          width={272}
          title={<Brand light />}
          closeIcon={<span style={{ color: '#fff' }}>✕</span>}
          styles={{
            header: { background: '#0b2a4a', borderBottom: 0 },
            body: { background: '#0b2a4a', padding: 0 },
          }}
          data-testid="nav-drawer"
        >
          {session && (
            <div style={{ color: '#fff', padding: '4px 24px 12px' }} data-testid="drawer-user">
              {session.user.fullName}
            </div>
          )}
          <nav aria-label={t('nav.main')}>{menu}</nav>
        </Drawer>
      )}
      <Layout style={{ minWidth: 0 }}>
        <Header
          style={{
            background: '#fff',
            padding: phone ? '0 8px' : '0 24px',
            display: 'flex',
            justifyContent: 'space-between',
            alignItems: 'center',
            gap: 8,
            borderBottom: '1px solid #e5e8ef',
            height: 56,
            lineHeight: 'normal',
          }}
        >
          <div style={{ display: 'flex', alignItems: 'center', gap: 8, minWidth: 0 }}>
            {phone && (
              <Button
                type="text"
                icon={<MenuOutlined />}
                aria-label={t('nav.menu')}
                aria-expanded={drawer}
                onClick={() => setDrawer(true)}
                data-testid="menu-toggle"
              />
            )}
            {phone && (
              <span style={{ fontWeight: 700, fontSize: 18, color: '#0b2a4a' }}>
                {t('app.name')}
              </span>
            )}
          </div>
          <Space size={phone ? 4 : 'middle'} style={{ minWidth: 0, flexShrink: 1 }}>
            {session && (
              <Tooltip title={live ? t('live.on') : t('live.off')}>
                <Badge
                  status={live ? 'success' : 'default'}
                  text={phone ? undefined : live ? t('live.on') : t('live.off')}
                  role="status"
                  aria-label={live ? t('live.on') : t('live.off')}
                  data-testid="live"
                  data-live={live}
                />
              </Tooltip>
            )}
            {session && !phone && (
              <Typography.Text
                strong
                data-testid="user-name"
                ellipsis
                style={{ maxWidth: 240, whiteSpace: 'nowrap' }}
              >
                {session.user.fullName}
              </Typography.Text>
            )}
            <LangSwitch compact={phone} />
            {session && (
              <Button
                icon={<LogoutOutlined />}
                onClick={() => void logout()}
                aria-label={t('nav.logout')}
                data-testid="logout"
              >
                {phone ? null : t('nav.logout')}
              </Button>
            )}
          </Space>
        </Header>
        <Content
          style={{
            padding: phone ? 8 : 24,
            maxWidth: 1400,
            width: '100%',
            margin: '0 auto',
            minWidth: 0,
          }}
        >
          {children}
        </Content>
      </Layout>
    </Layout>
  );
}

export { LangSwitch };
