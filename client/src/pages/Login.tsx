import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Brand, LangSwitch } from '../components/Shell';
import { useI18n } from '../i18n/i18n';
import { errorText, login } from '../lib/api';
import { homePath } from '../lib/access';
import { navigate } from '../lib/router';

export function Login() {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const session = await login(v.username, v.password);
      const next = new URLSearchParams(location.search).get('next');
      navigate(
        next && next.startsWith('/') && !next.startsWith('//')
          ? next
          : homePath(session.user.roles),
        true,
      );
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(135deg, #0b2a4a 0%, #0b4f9c 60%, #2d7bd6 100%)',
      }}
    >
      <div style={{ position: 'absolute', top: 12, right: 16, color: '#fff' }}>
        <LangSwitch />
      </div>
      <Card style={{ width: 380, boxShadow: '0 12px 40px rgba(0,0,0,.25)' }}>
        <div style={{ marginBottom: 20 }}>
          <Brand />
        </div>
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {t('login.title')}
        </Typography.Title>
        {error && (
          <Alert
            type="error"
            showIcon
            message={error}
            style={{ marginBottom: 16 }}
            data-testid="login-error"
          />
        )}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[
              {
                required: true,
                message: t('login.required', { field: t('login.username').toLowerCase() }),
              },
            ]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus id="username" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[
              {
                required: true,
                message: t('login.required', { field: t('login.password').toLowerCase() }),
              },
            ]}
          >
            <Input.Password
              prefix={<LockOutlined />}
              autoComplete="current-password"
              id="password"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} size="large">
            {t('login.submit')}
          </Button>
        </Form>
        <Typography.Paragraph
          type="secondary"
          style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}
        >
          {t('login.hint')}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
