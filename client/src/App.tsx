import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import viVN from 'antd/locale/vi_VN';
import { useEffect } from 'react';
import { Shell } from './components/Shell';
import { I18nProvider, useI18n } from './i18n/i18n';
import { AuthProvider, useAuth } from './lib/auth';
import { dayjs } from './lib/format';
import { navigate, useRoute, type Route } from './lib/router';
import { Certificates } from './pages/Certificates';
import { Compose } from './pages/Compose';
import { Dashboard } from './pages/Dashboard';
import { DocumentView } from './pages/DocumentView';
import { Inbox } from './pages/Inbox';
import { Login } from './pages/Login';
import { NotFound } from './pages/NotFound';
import { Outbox } from './pages/Outbox';
import { Verify } from './pages/Verify';

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
    default:
      return <NotFound />;
  }
}

function Routed() {
  const route = useRoute();
  const { session } = useAuth();
  // the verify page is public: anyone may check a PDF they received
  const isPublic = route.name === 'login' || route.name === 'verify';
  useEffect(() => {
    if (!session && !isPublic)
      navigate(`/login?next=${encodeURIComponent(location.pathname)}`, true);
    if (session && route.name === 'login') navigate('/inbox', true);
  }, [session, isPublic, route.name]);
  if (route.name === 'login') return session ? null : <Login />;
  if (!session && !isPublic) return null;

  return (
    <Shell route={route}>
      <Screen route={route} />
    </Shell>
  );
}

function Localized() {
  const { lang } = useI18n();
  useEffect(() => {
    dayjs.locale(lang === 'vi' ? 'vi' : 'en');
    document.documentElement.lang = lang;
  }, [lang]);

  return (
    <ConfigProvider
      locale={lang === 'vi' ? viVN : enUS}
      theme={{ token: { colorPrimary: '#0b4f9c', borderRadius: 6, fontSize: 14 } }}
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
