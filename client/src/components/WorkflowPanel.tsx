import type { ButtonProps } from 'antd';
import {
  Alert,
  App,
  Button,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { URGENCIES, type TOwnerDocument } from '../../../server/src/contracts/documents';
import type { TUrgency } from '../../../server/src/contracts/documents';
import type { TSignerOption } from '../../../server/src/contracts/workflow';
import { useI18n } from '../i18n/i18n';
import { call, errorText, routes } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fmtDateTime } from '../lib/format';
import { navigate } from '../lib/router';
import { useAsync } from '../lib/useAsync';
import { listSigners, submitTo } from '../lib/workflow';
import { ReleaseFlow } from './ReleaseFlow';

type Props = {
  doc: TOwnerDocument;
  /** Opens the signing dialog (the leader's signature, or the clerk's seal). */
  onSign: () => void;
  onChanged: () => void;
};

type EditValues = { subject: string; notation: string; urgency: TUrgency };

/** A draft's own actions: edit, replace the file, delete, submit to a signer. */
function DraftActions({ doc, onChanged }: Omit<Props, 'onSign'>) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [signerId, setSignerId] = useState<string | undefined>(doc.workflow?.signerId);
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<EditValues>();
  const { data: signers } = useAsync<TSignerOption[]>(listSigners, []);
  const act = async (f: () => Promise<unknown>, done?: string) => {
    try {
      await f();
      if (done) message.success(done);
      onChanged();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const replace = (file: File) => {
    const fd = new FormData();
    fd.append('file', file, file.name);
    void act(() => call(routes.workflow.replaceFile, { params: doc }, { raw: fd }));

    return false;
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          style={{ width: 260 }}
          placeholder={t('wf.chooseSigner')}
          value={signerId}
          onChange={setSignerId}
          options={(signers ?? []).map((s) => ({
            value: s.id,
            label: s.title ? `${s.fullName} — ${s.title}` : s.fullName,
          }))}
          aria-label={t('wf.chooseSigner')}
          data-testid="wf-signer"
        />
        <Button
          type="primary"
          disabled={!signerId}
          onClick={() =>
            void act(
              () => submitTo(doc.id, signerId!),
              t('wf.submitted', {
                name: signers?.find((s) => s.id === signerId)?.fullName ?? '',
              }),
            )
          }
          data-testid="wf-submit"
        >
          {t('wf.submit')}
        </Button>
      </Space>
      <Space wrap>
        <Button
          onClick={() => {
            form.setFieldsValue({
              subject: doc.meta.subject,
              notation: doc.meta.notation,
              urgency: doc.meta.urgency,
            });
            setEditing(true);
          }}
          data-testid="wf-edit"
        >
          {t('wf.edit')}
        </Button>
        <Upload accept="application/pdf,.pdf" showUploadList={false} beforeUpload={replace}>
          <Button data-testid="wf-replace">{t('wf.replace')}</Button>
        </Upload>
        <Popconfirm
          title={t('wf.deleteConfirm')}
          onConfirm={() =>
            void act(async () => {
              await call(routes.workflow.deleteDraft, { params: doc });
              navigate('/workflow/drafts');
            }, t('wf.deleted'))
          }
        >
          <Button danger data-testid="wf-delete">
            {t('wf.delete')}
          </Button>
        </Popconfirm>
      </Space>
      <Modal
        open={editing}
        title={t('wf.edit')}
        onCancel={() => setEditing(false)}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
        okButtonProps={{ 'data-testid': 'wf-edit-save' } as ButtonProps}
        onOk={() =>
          void form.validateFields().then((v) =>
            act(async () => {
              await call(routes.workflow.editDraft, { params: doc, body: v });
              setEditing(false);
            }),
          )
        }
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="subject"
            label={t('field.subject')}
            rules={[{ required: true, max: 500 }]}
          >
            <Input.TextArea rows={3} data-testid="wf-edit-subject" />
          </Form.Item>
          <Form.Item
            name="notation"
            label={t('field.notation')}
            rules={[{ required: true, max: 30 }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="urgency" label={t('field.urgency')}>
            <Select options={URGENCIES.map((u) => ({ value: u, label: t(`urgency.${u}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

/** The named signer's actions: sign (the signing dialog), or return with a comment. */
function SignerActions({ doc, onSign, onChanged }: Props) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [returning, setReturning] = useState(false);
  const [comment, setComment] = useState('');
  const giveBack = async () => {
    try {
      await call(routes.workflow.return, { params: doc, body: { comment } });
      setReturning(false);
      onChanged();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <Space wrap>
      <Button type="primary" onClick={onSign} data-testid="wf-sign">
        {t('wf.sign')}
      </Button>
      <Button onClick={() => setReturning(true)} data-testid="wf-return">
        {t('wf.return')}
      </Button>
      <Modal
        open={returning}
        title={t('wf.return')}
        onCancel={() => setReturning(false)}
        okText={t('wf.return')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: !comment.trim(), 'data-testid': 'wf-return-ok' } as ButtonProps}
        onOk={() => void giveBack()}
      >
        <Input.TextArea
          rows={4}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder={t('wf.returnComment')}
          aria-label={t('wf.returnComment')}
          data-testid="wf-return-comment"
        />
      </Modal>
    </Space>
  );
}

/** Trình ký on the document page: where the document is, what the caller may do, its history. */
export function WorkflowPanel({ doc, onSign, onChanged }: Props) {
  const { t } = useI18n();
  const { session, hasRole } = useAuth();
  const w = doc.workflow!;
  const me = session?.user.id;
  const drafting =
    (w.state === 'draft' || w.state === 'returned') && hasRole('clerk', 'org_admin', 'signer');
  const signing = w.state === 'submitted' && w.signerId === me;
  const releasing =
    ['signed', 'numbered', 'sealed', 'released'].includes(w.state) && hasRole('clerk');

  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="wf-panel">
      <Space wrap>
        <Tag color="blue" data-testid="wf-state-tag" data-state={w.state}>
          {t(`wf.state.${w.state}`)}
        </Tag>
        {w.signerName && (
          <Typography.Text type="secondary">
            {t('wf.signer')}: {w.signerName}
          </Typography.Text>
        )}
      </Space>
      {w.state === 'returned' && w.returnComment && (
        <Alert
          type="warning"
          showIcon
          message={t('wf.returnedWith', { comment: w.returnComment })}
          data-testid="wf-return-note"
        />
      )}
      {doc.meta.number === undefined && (
        <Typography.Text type="secondary">{t('wf.draftNoNumber')}</Typography.Text>
      )}
      {drafting && <DraftActions doc={doc} onChanged={onChanged} />}
      {signing && <SignerActions doc={doc} onSign={onSign} onChanged={onChanged} />}
      {releasing && <ReleaseFlow doc={doc} onSeal={onSign} onChanged={onChanged} />}
      <Typography.Text strong>{t('wf.history')}</Typography.Text>
      <Timeline
        items={[...w.history].reverse().map((h) => ({
          children: (
            <span data-testid="wf-step" data-action={h.action}>
              <b>{t(`wf.action.${h.action}`)}</b> · {h.byName} · {fmtDateTime(h.at)}
              {h.comment ? ` — ${h.comment}` : ''}
            </span>
          ),
        }))}
      />
    </Space>
  );
}
