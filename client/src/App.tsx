import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import viVN from 'antd/locale/vi_VN';
import { Result, Spin } from 'antd';
import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { Shell } from './components/Shell';
import { I18nProvider, useI18n } from './i18n/i18n';
import { canUse, homePath, SCREEN_TITLES } from './lib/access';
import { AuthProvider, useAuth } from './lib/auth';
import { dayjs } from './lib/format';
import { usePrefersReducedMotion } from './lib/motion';
import { navigate, useRoute, type Route } from './lib/router';
import { Login } from './pages/Login';

// every screen but the login page is its own chunk: the login page loads small, and pdf.js,
// recharts and the admin screens arrive only with the screen that needs them
const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(async () => ({ default: (await load())[name] }));
const Inbox = page(() => import('./pages/Inbox'), 'Inbox');
const Outbox = page(() => import('./pages/Outbox'), 'Outbox');
const Compose = page(() => import('./pages/Compose'), 'Compose');
const Verify = page(() => import('./pages/Verify'), 'Verify');
const Dashboard = page(() => import('./pages/Dashboard'), 'Dashboard');
const Certificates = page(() => import('./pages/Certificates'), 'Certificates');
const Orgs = page(() => import('./pages/admin/Orgs'), 'Orgs');
const Users = page(() => import('./pages/admin/Users'), 'Users');
const ApiKeys = page(() => import('./pages/admin/ApiKeys'), 'ApiKeys');
const NotFound = page(() => import('./pages/NotFound'), 'NotFound');
const Drafts = page(() => import('./pages/WorkflowList'), 'Drafts');
const ToSign = page(() => import('./pages/WorkflowList'), 'ToSign');
const ToRelease = page(() => import('./pages/WorkflowList'), 'ToRelease');
const DocumentView = lazy(async () => {
  const m = await import('./pages/DocumentView');

  return { default: m.DocumentView };
});

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'inbox':
      return <Inbox />;
    case 'outbox':
      return <Outbox />;
    case 'compose':
      return <Compose />;
    case 'document':
      return <DocumentView id={route.id} deliveryId={route.delivery} />;
    case 'verify':
      return <Verify />;
    case 'dashboard':
      return <Dashboard />;
    case 'certificates':
      return <Certificates />;
    case 'orgs':
      return <Orgs />;
    case 'users':
      return <Users />;
    case 'apiKeys':
      return <ApiKeys />;
    case 'drafts':
      return <Drafts />;
    case 'toSign':
      return <ToSign />;
    case 'toRelease':
      return <ToRelease />;
    default:
      return <NotFound />;
  }
}

/** Each screen names the browser tab ("Văn bản đến — LiênThông"); a document names it later. */
function usePageTitle(route: Route) {
  const { t, lang } = useI18n();
  useEffect(() => {
    const key = SCREEN_TITLES[route.name];
    document.title = key ? `${t(key)} — ${t('title.suffix')}` : t('title.suffix');
  }, [route, lang, t]);
}

/** A screen the signed-in user's roles cannot use: said plainly, no API names. */
function Forbidden() {
  const { t } = useI18n();

  return (
    <div data-testid="forbidden">
      <Result status="403" title={t('nav.forbidden')} />
    </div>
  );
}

function Routed() {
  const route = useRoute();
  const { session } = useAuth();
  usePageTitle(route);
  // the verify page is public: anyone may check a PDF they received
  const isPublic = route.name === 'login' || route.name === 'verify';
  useEffect(() => {
    if (!session && !isPublic)
      navigate(`/login?next=${encodeURIComponent(location.pathname)}`, true);
    if (session && (route.name === 'login' || location.pathname === '/'))
      navigate(homePath(session.user.roles), true);
  }, [session, isPublic, route.name]);
  if (route.name === 'login') return session ? null : <Login />;
  if (!session && !isPublic) return null;

  return (
    <Shell route={route}>
      <Suspense
        fallback={
          <div style={{ padding: 48, textAlign: 'center' }}>
            <Spin />
          </div>
        }
      >
        {session && !canUse(route.name, session.user.roles) ? (
          <Forbidden />
        ) : (
          <Screen route={route} />
        )}
      </Suspense>
    </Shell>
  );
}

function Localized() {
  const { lang } = useI18n();
  const still = usePrefersReducedMotion();
  useEffect(() => {
    dayjs.locale(lang === 'vi' ? 'vi' : 'en');
    document.documentElement.lang = lang;
  }, [lang]);

  return (
    <ConfigProvider
      locale={lang === 'vi' ? viVN : enUS}
      wave={{ disabled: still }}
      theme={{
        token: {
          motion: !still,
          colorPrimary: '#0b4f9c',
          borderRadius: 6,
          fontSize: 14,
          // WCAG AA (4.5:1) for secondary text, placeholders and coloured text on white
          colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
          colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
          colorTextDescription: 'rgba(0, 0, 0, 0.65)',
          colorTextPlaceholder: 'rgba(0, 0, 0, 0.58)',
          colorLink: '#0b4f9c',
          colorLinkHover: '#1d64c8',
          colorError: '#cf1322',
          colorErrorText: '#a8071a',
          colorWarningText: '#874d00',
          colorSuccessText: '#237804',
        },
      }}
    >
      <AntApp>
        <AuthProvider>
          <Routed />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Localized />
    </I18nProvider>
  );
}
