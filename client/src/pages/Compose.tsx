import { InboxOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Progress,
  Row,
  Select,
  Space,
  Upload,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import {
  CONFIDENTIALITIES,
  DOCUMENT_TYPES,
  META_MAX_LENGTH,
  URGENCIES,
  ZDocumentMeta,
  type TDocumentMeta,
} from '../../../server/src/contracts/documents';
import { SubmitToSigner, useUnsignedSend } from '../components/ComposeDraft';
import { RecipientPicker } from '../components/RecipientPicker';
import { useI18n } from '../i18n/i18n';
import { call, errorText, routes, uploadWithProgress } from '../lib/api';
import { DATE_FORMAT, dayjs, fmtSize } from '../lib/format';
import { navigate } from '../lib/router';
import { saveDraft } from '../lib/workflow';

type FormValues = {
  type: TDocumentMeta['type'];
  number?: number;
  notation: string;
  issuePlace: string;
  issueDate: Dayjs;
  subject: string;
  urgency: TDocumentMeta['urgency'];
  confidentiality: TDocumentMeta['confidentiality'];
  signerName: string;
  signerPosition: string;
  dueDate?: Dayjs;
  description?: string;
};

function toMeta(v: FormValues): unknown {
  return {
    type: v.type,
    ...(v.number ? { number: v.number } : {}),
    notation: v.notation,
    issuePlace: v.issuePlace,
    issueDate: v.issueDate.format('YYYY-MM-DD'),
    subject: v.subject,
    urgency: v.urgency,
    confidentiality: v.confidentiality,
    signer: { fullName: v.signerName, position: v.signerPosition },
    ...(v.dueDate ? { dueDate: v.dueDate.format('YYYY-MM-DD') } : {}),
    ...(v.description ? { description: v.description } : {}),
  };
}

/** A new idempotency key per compose screen: a double click or a retry sends once. */
function newKey(): string {
  return `compose-${crypto.randomUUID()}`;
}

export function Compose() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const [file, setFile] = useState<File | null>(null);
  const [recipients, setRecipients] = useState<string[]>([]);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  // said under the drop zone, where the user looks for it
  const [fileError, setFileError] = useState<string | null>(null);
  const [upload, setUpload] = useState<'sending' | 'done' | 'failed' | null>(null);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useMemo(newKey, []);

  const unsigned = useUnsignedSend();
  const submit = async (send: boolean, signerId?: string) => {
    setError(null);
    if (!file) setFileError(t('compose.noFile'));
    let values: FormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    if (!file) {
      document.querySelector('.ant-upload-drag')?.scrollIntoView({ block: 'center' });

      return;
    }
    if (send && recipients.length === 0) return setError(t('compose.noRecipients'));
    // the shared schema is the last word: what passes here passes on the hub
    const parsed = ZDocumentMeta.safeParse(toMeta(values));
    if (!parsed.success)
      return setError(
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      );
    setBusy(true);
    let uploadFailed = false;
    // the hub refusing the file (not a real PDF, too large…) is said at the drop zone, in red
    const watchUpload = async <T,>(run: () => Promise<T>): Promise<T> => {
      setUpload('sending');
      try {
        const done = await run();
        setUpload('done');

        return done;
      } catch (e) {
        uploadFailed = true;
        setUpload('failed');
        setFileError(errorText(e));
        throw e;
      }
    };
    try {
      setProgress(0);
      // saved, not sent: a draft of trình ký (numbered at release), submitted if a signer is chosen
      if (!send) {
        const draft = await watchUpload(() => saveDraft(parsed.data, file, setProgress, signerId));
        message.success(t('compose.saved', { code: draft.codeLabel }));
        navigate(`/documents/${draft.id}`);

        return;
      }
      const fd = new FormData();
      fd.append('meta', JSON.stringify(parsed.data));
      fd.append('file', file, file.name);
      const doc = await watchUpload(() =>
        uploadWithProgress(routes.documents.upload, fd, setProgress),
      );
      if (send) {
        await call(
          routes.exchange.dispatch,
          { body: { documentId: doc.id, recipients } },
          { headers: { 'idempotency-key': idempotencyKey } },
        );
        message.success(t('compose.sent', { code: doc.codeLabel, n: recipients.length }));
      } else {
        message.success(t('compose.saved', { code: doc.codeLabel }));
      }
      navigate(`/documents/${doc.id}`);
    } catch (e) {
      if (!uploadFailed) setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const typeOptions = Object.entries(DOCUMENT_TYPES).map(([name, abbr]) => ({
    value: name,
    label: abbr ? `${name} (${abbr})` : name,
  }));

  return (
    <Form<FormValues>
      form={form}
      layout="vertical"
      initialValues={{
        type: 'Công văn',
        urgency: 'thuong',
        confidentiality: 'thuong',
        issueDate: dayjs(),
      }}
      requiredMark
    >
      <Row gutter={16}>
        <Col xs={24} xl={15}>
          <Card
            title={<span data-testid="page-title">{t('compose.title')}</span>}
            style={{ marginBottom: 16 }}
          >
            <Form.Item
              label={t('field.file')}
              required
              validateStatus={fileError ? 'error' : undefined}
              help={
                fileError ? <span data-testid="compose-file-error">{fileError}</span> : undefined
              }
            >
              <Upload.Dragger
                accept="application/pdf,.pdf"
                multiple={false}
                showUploadList={false}
                beforeUpload={(f) => {
                  const isPdf = f.type === 'application/pdf' || /\.pdf$/i.test(f.name);
                  if (!isPdf) setFileError(t('compose.notPdf'));
                  else {
                    setFile(f);
                    setFileError(null);
                    setProgress(null);
                    setUpload(null);
                  }

                  return false;
                }}
                data-testid="compose-file"
              >
                <p className="ant-upload-drag-icon">
                  <InboxOutlined />
                </p>
                <p className="ant-upload-text">
                  {file ? `${file.name} (${fmtSize(file.size)})` : t('compose.drop')}
                </p>
                <p className="ant-upload-hint">{t('compose.dropHint')}</p>
              </Upload.Dragger>
              {progress !== null && (
                <div aria-label={t('compose.uploading')}>
                  <Progress
                    percent={progress}
                    status={
                      upload === 'failed' ? 'exception' : upload === 'done' ? 'success' : 'active'
                    }
                    data-testid="upload-progress"
                    data-state={upload ?? ''}
                  />
                </div>
              )}
            </Form.Item>
            <Row gutter={12}>
              <Col xs={24} sm={10}>
                {/* always filled (initial value); no `required` rule, whose aria-required the
                    select's container may not carry */}
                <Form.Item name="type" label={t('field.type')}>
                  <Select showSearch options={typeOptions} optionFilterProp="label" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={6}>
                <Form.Item
                  name="number"
                  label={t('field.number')}
                  tooltip={t('compose.numberAuto')}
                >
                  <InputNumber
                    min={1}
                    style={{ width: '100%' }}
                    placeholder={t('compose.numberPlaceholder')}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8}>
                <Form.Item
                  name="notation"
                  label={t('field.notation')}
                  tooltip={t('compose.notationHelp')}
                  rules={[
                    {
                      required: true,
                      message: t('login.required', { field: t('field.notation').toLowerCase() }),
                    },
                    { pattern: /^[\p{L}\p{N}.-]+$/u, message: t('compose.notationPattern') },
                    { max: META_MAX_LENGTH.notation },
                  ]}
                >
                  <Input placeholder="UBND-VP" />
                </Form.Item>
              </Col>
            </Row>
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item
                  name="issuePlace"
                  label={t('field.issuePlace')}
                  rules={[
                    {
                      required: true,
                      message: t('login.required', { field: t('field.issuePlace').toLowerCase() }),
                    },
                    { max: META_MAX_LENGTH.issuePlace },
                  ]}
                >
                  <Input placeholder="Thanh Hóa" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item
                  name="issueDate"
                  label={t('field.issueDate')}
                  rules={[{ required: true }]}
                >
                  <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item
              name="subject"
              label={t('field.subject')}
              rules={[
                {
                  required: true,
                  message: t('login.required', { field: t('field.subject').toLowerCase() }),
                },
                { max: META_MAX_LENGTH.subject },
              ]}
            >
              <Input.TextArea
                rows={2}
                showCount
                maxLength={META_MAX_LENGTH.subject}
                placeholder="V/v …"
              />
            </Form.Item>
            <Row gutter={12}>
              <Col xs={24} sm={8}>
                <Form.Item name="urgency" label={t('field.urgency')}>
                  <Select
                    options={URGENCIES.map((u) => ({ value: u, label: t(`urgency.${u}`) }))}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8}>
                <Form.Item name="confidentiality" label={t('field.confidentiality')}>
                  <Select
                    options={CONFIDENTIALITIES.map((c) => ({ value: c, label: t(`conf.${c}`) }))}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} sm={8}>
                <Form.Item
                  name="dueDate"
                  label={t('field.dueDate')}
                  dependencies={['issueDate']}
                  rules={[
                    ({ getFieldValue }) => ({
                      validator: (_r, v?: Dayjs) => {
                        const issue = getFieldValue('issueDate') as Dayjs | undefined;

                        return !v || !issue || !v.isBefore(issue, 'day')
                          ? Promise.resolve()
                          : Promise.reject(new Error(t('compose.dueAfterIssue')));
                      },
                    }),
                  ]}
                >
                  <DatePicker format={DATE_FORMAT} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item
                  name="signerName"
                  label={t('field.signerName')}
                  rules={[
                    {
                      required: true,
                      message: t('login.required', { field: t('field.signerName').toLowerCase() }),
                    },
                    { max: META_MAX_LENGTH.signerName },
                  ]}
                >
                  <Input placeholder="Nguyễn Văn A" />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item
                  name="signerPosition"
                  label={t('field.signerPosition')}
                  rules={[
                    {
                      required: true,
                      message: t('login.required', {
                        field: t('field.signerPosition').toLowerCase(),
                      }),
                    },
                    { max: META_MAX_LENGTH.signerPosition },
                  ]}
                >
                  <Input placeholder="Chủ tịch" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="description" label={t('field.description')}>
              <Input.TextArea rows={2} maxLength={META_MAX_LENGTH.description} />
            </Form.Item>
          </Card>
        </Col>
        <Col xs={24} xl={9}>
          <Card title={t('compose.step.recipients')} style={{ marginBottom: 16 }}>
            <RecipientPicker value={recipients} onChange={setRecipients} />
          </Card>
          {error && (
            <Alert
              type="error"
              showIcon
              message={error}
              style={{ marginBottom: 16 }}
              data-testid="compose-error"
            />
          )}
          {unsigned.notice}
          <Space wrap>
            <Button
              type="primary"
              size="large"
              loading={busy}
              disabled={unsigned.blocked}
              onClick={() => void submit(true)}
              data-testid="compose-send"
            >
              {t('compose.send')}
            </Button>
            <Button size="large" disabled={busy} onClick={() => void submit(false)}>
              {t('compose.saveDraft')}
            </Button>
            <SubmitToSigner busy={busy} onSubmit={(id) => void submit(false, id)} />
          </Space>
        </Col>
      </Row>
    </Form>
  );
}
