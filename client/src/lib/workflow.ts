import { useEffect, useState } from 'react';
import type { TDocument } from '../../../server/src/contracts/documents';
import type {
  TSignerOption,
  TWorkflowCounts,
  TWorkflowPolicyRead,
} from '../../../server/src/contracts/workflow';
import { ApiError, call, routes, uploadWithProgress } from './api';
import { useAuth } from './auth';

/** Trình ký on the client: the hub's /workflow routes and the counts the menu shows. */

const NO_COUNTS: TWorkflowCounts = { drafts: 0, 'to-sign': 0, 'to-release': 0 };

/** The menu's counts, fetched again whenever a workflow event (or a session) arrives. */
export function useWorkflowCounts(): TWorkflowCounts {
  const { session, events } = useAuth();
  const [counts, setCounts] = useState<TWorkflowCounts>(NO_COUNTS);
  useEffect(() => {
    if (!session) return;
    let stale = false;
    const load = () =>
      void call(routes.workflow.counts)
        .then((c) => !stale && setCounts(c))
        .catch(() => undefined);
    load();
    const off = events?.on('workflow:changed', load);

    return () => {
      stale = true;
      off?.();
    };
  }, [session, events]);

  return counts;
}

export function listSigners(): Promise<TSignerOption[]> {
  return call(routes.workflow.signers);
}

export function workflowPolicy(): Promise<TWorkflowPolicyRead> {
  return call(routes.workflow.policy);
}

/** A draft (no number: it is issued at release), then, if a signer is chosen, submitted to him. */
export async function saveDraft(
  meta: Record<string, unknown>,
  file: File,
  onProgress: (p: number) => void,
  signerId?: string,
): Promise<TDocument> {
  const { number: _numberAtRelease, ...draftMeta } = meta;
  const fd = new FormData();
  fd.append('meta', JSON.stringify(draftMeta));
  fd.append('file', file, file.name);
  const doc = await uploadWithProgress(routes.workflow.createDraft, fd, onProgress);

  return signerId ? submitTo(doc.id, signerId) : doc;
}

export function submitTo(id: string, signerId: string): Promise<TDocument> {
  return call(routes.workflow.submit, { params: { id }, body: { signerId } });
}

/** An image of record, or null when none was registered (the dialog then draws one). */
export async function recordImage(kind: 'seal' | 'signature'): Promise<string | null> {
  try {
    return (await call(routes.workflow[kind])).png;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** The signer's own signature image and the organization's seal, for the signing dialog. */
export function useRecordImages(): { signature: string | null; seal: string | null } {
  const [images, setImages] = useState<{ signature: string | null; seal: string | null }>({
    signature: null,
    seal: null,
  });
  useEffect(() => {
    let stale = false;
    void Promise.all([
      recordImage('signature').catch(() => null),
      recordImage('seal').catch(() => null),
    ]).then(([signature, seal]) => !stale && setImages({ signature, seal }));

    return () => {
      stale = true;
    };
  }, []);

  return images;
}
