import { Button, Result } from 'antd';
import { useI18n } from '../i18n/i18n';
import { navigate } from '../lib/router';

export function NotFound() {
  const { t } = useI18n();

  return (
    <Result
      status="404"
      title="404"
      subTitle={t('common.notFound')}
      extra={<Button onClick={() => navigate('/inbox')}>{t('nav.inbox')}</Button>}
    />
  );
}
