import { Alert, Spin } from 'antd';
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n';

// the worker is a separate file bundled (and hashed) by Vite
GlobalWorkerOptions.workerSrc = workerUrl;

const MAX_PAGES = 30;

export type PagePoint = { page: number; x: number; y: number };

type Props = {
  bytes: Uint8Array | null;
  width?: number;
  /** Where the user clicked, in PDF points from the page's bottom-left corner. */
  onPageClick?: (p: PagePoint) => void;
  marker?: PagePoint & { w: number; h: number };
};

function PageCanvas({
  pdf,
  n,
  width,
  onPageClick,
  marker,
}: { pdf: PDFDocumentProxy; n: number } & Omit<Props, 'bytes'>) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [scale, setScale] = useState(1);
  const [height, setHeight] = useState(0);
  useEffect(() => {
    let cancelled = false;
    let task: { cancel(): void } | undefined;
    void pdf.getPage(n).then((page) => {
      if (cancelled || !ref.current) return;
      const base = page.getViewport({ scale: 1 });
      const s = (width ?? 760) / base.width;
      const vp = page.getViewport({ scale: s * devicePixelRatio });
      const canvas = ref.current;
      canvas.width = vp.width;
      canvas.height = vp.height;
      canvas.style.width = `${vp.width / devicePixelRatio}px`;
      canvas.style.height = `${vp.height / devicePixelRatio}px`;
      setScale(s);
      setHeight(base.height);
      const r = page.render({ canvas, viewport: vp });
      task = r;
      r.promise.catch(() => undefined);
    });

    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, n, width]);
  const click = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!onPageClick) return;
    const rect = e.currentTarget.getBoundingClientRect();
    onPageClick({
      page: n,
      x: Math.round((e.clientX - rect.left) / scale),
      y: Math.round(height - (e.clientY - rect.top) / scale),
    });
  };

  return (
    <div
      style={{
        position: 'relative',
        marginBottom: 12,
        boxShadow: '0 2px 10px rgba(0,0,0,.15)',
        background: '#fff',
        width: 'fit-content',
      }}
    >
      <canvas
        ref={ref}
        onClick={click}
        style={{ display: 'block', cursor: onPageClick ? 'crosshair' : 'default' }}
        data-testid="pdf-page"
        aria-label={`PDF ${n}`}
      />
      {marker && marker.page === n && (
        <div
          data-testid="sign-marker"
          style={{
            position: 'absolute',
            left: marker.x * scale,
            top: (height - marker.y - marker.h) * scale,
            width: marker.w * scale,
            height: marker.h * scale,
            border: '2px dashed #c41d7f',
            background: 'rgba(196,29,127,.08)',
            pointerEvents: 'none',
          }}
        />
      )}
    </div>
  );
}

/** The PDF rendered by pdf.js, one canvas per page. */
export function PdfViewer({ bytes, width, onPageClick, marker }: Props) {
  const { t } = useI18n();
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!bytes) return;
    setPdf(null);
    setError(null);
    // pdf.js takes ownership of the buffer it is given: hand it a copy
    const task = getDocument({ data: bytes.slice() });
    task.promise.then(setPdf, (e: Error) => setError(e.message));

    return () => void task.destroy();
  }, [bytes]);
  if (error) return <Alert type="error" message={error} />;
  if (!pdf)
    return (
      <Spin tip={t('common.loading')}>
        <div style={{ height: 200 }} />
      </Spin>
    );
  const pages = Math.min(pdf.numPages, MAX_PAGES);

  return (
    <div data-testid="pdf-viewer" data-pages={pdf.numPages}>
      {Array.from({ length: pages }, (_, i) => (
        <PageCanvas
          key={i}
          pdf={pdf}
          n={i + 1}
          width={width}
          onPageClick={onPageClick}
          marker={marker}
        />
      ))}
    </div>
  );
}
