import {
  ColumnWidthOutlined,
  LeftOutlined,
  RightOutlined,
  ZoomInOutlined,
  ZoomOutOutlined,
} from '@ant-design/icons';
import { Alert, Button, Space, Spin, Tooltip, Typography } from 'antd';
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n';

// the worker is a separate file bundled (and hashed) by Vite
GlobalWorkerOptions.workerSrc = workerUrl;

const MAX_PAGES = 30;
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
/** Room around each page inside the scroll box (its padding), so the shadow is not cut. */
const GUTTER = 16;

export type PagePoint = { page: number; x: number; y: number };

type Props = {
  bytes: Uint8Array | null;
  /** A fixed page width in CSS pixels; without it the page fits the viewer's width (zoomable). */
  width?: number;
  /** Where the user clicked, in PDF points from the page's bottom-left corner. */
  onPageClick?: (p: PagePoint) => void;
  marker?: PagePoint & { w: number; h: number };
  /** Height of the scroll box in fit mode (CSS length). */
  height?: string;
};

/**
 * True once the element has come within a screen of the scroll box's visible part: a page is
 * drawn only then, so a 30-page document opens as fast as a 1-page one and the pages never
 * scrolled to cost nothing.
 */
function useSeen(el: React.RefObject<Element | null>, root: Element | null, sized: boolean) {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const target = el.current;
    // watched once it has its page's size: twelve blank 150-pixel canvases would all look near
    if (seen || !sized || !target) return;
    const io = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && setSeen(true), {
      root,
      rootMargin: '100% 0px',
    });
    io.observe(target);

    return () => io.disconnect();
  }, [el, root, seen, sized]);

  return seen;
}

function PageCanvas({
  pdf,
  n,
  width,
  root,
  onPageClick,
  marker,
}: { pdf: PDFDocumentProxy; n: number; width: number; root: Element | null } & Pick<
  Props,
  'onPageClick' | 'marker'
>) {
  const { t } = useI18n();
  const ref = useRef<HTMLCanvasElement>(null);
  const [scale, setScale] = useState(1);
  const [height, setHeight] = useState(0);
  const seen = useSeen(ref, root, height > 0);
  useEffect(() => {
    let cancelled = false;
    let task: { cancel(): void } | undefined;
    // a page of a document being replaced is dropped, not thrown into React
    void Promise.resolve()
      .then(() => pdf.getPage(n))
      .then((page) => {
        if (cancelled || !ref.current) return;
        const base = page.getViewport({ scale: 1 });
        const s = width / base.width;
        const vp = page.getViewport({ scale: s * devicePixelRatio });
        const canvas = ref.current;
        // sized at once, so the scroll box has its full height before any page is drawn
        canvas.style.width = `${Math.floor(vp.width / devicePixelRatio)}px`;
        canvas.style.height = `${Math.floor(vp.height / devicePixelRatio)}px`;
        setScale(s);
        setHeight(base.height);
        if (!seen) return;
        canvas.width = Math.floor(vp.width);
        canvas.height = Math.floor(vp.height);
        const r = page.render({ canvas, viewport: vp });
        task = r;
        r.promise.then(
          () => canvas.setAttribute('data-rendered', 'true'),
          () => undefined,
        );
      })
      .catch(() => undefined);

    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, n, width, seen]);
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
      data-page={n}
      style={{
        position: 'relative',
        margin: '0 auto 12px',
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
        role="img"
        aria-label={t('viewer.pageLabel', { n })}
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

/** The width the pages get in fit mode: the scroll box's inner width, kept up to date. */
function useInnerWidth(box: React.RefObject<HTMLDivElement | null>): number {
  const [w, setW] = useState(0);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setW(Math.max(0, el.clientWidth - 2 * GUTTER));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);

    return () => ro.disconnect();
  }, [box]);

  return w;
}

/**
 * The PDF rendered by pdf.js, one canvas per page. By default every page fits the viewer's
 * width (the whole width of the page is visible on a phone as on a laptop); zoom makes it larger
 * and the box scrolls both ways from the page's left edge. Page numbers and previous/next.
 */
export function PdfViewer({ bytes, width, onPageClick, marker, height }: Props) {
  const { t } = useI18n();
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [zoom, setZoom] = useState(1);
  const [current, setCurrent] = useState(1);
  const box = useRef<HTMLDivElement>(null);
  const inner = useInnerWidth(box);
  useEffect(() => {
    // a destroyed document must never reach the pages: they would call into a dead worker
    setPdf(null);
    setError(null);
    setCurrent(1);
    if (!bytes) return;
    let live = true;
    // pdf.js takes ownership of the buffer it is given: hand it a copy
    const task = getDocument({ data: bytes.slice() });
    task.promise.then(
      (p) => live && setPdf(p),
      (e: Error) => live && setError(e.message),
    );

    return () => {
      live = false;
      void task.destroy();
    };
  }, [bytes]);
  const pages = pdf ? Math.min(pdf.numPages, MAX_PAGES) : 0;
  const goTo = useCallback(
    (n: number) => {
      const target = Math.min(Math.max(1, n), pages);
      const el = box.current?.querySelector<HTMLElement>(`[data-page="${target}"]`);
      if (el && box.current) box.current.scrollTop = el.offsetTop - GUTTER;
      setCurrent(target);
    },
    [pages],
  );
  // the page shown is the last one whose top has scrolled past the box's middle
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const mid = el.scrollTop + el.clientHeight / 3;
    let n = 1;
    el.querySelectorAll<HTMLElement>('[data-page]').forEach((p) => {
      if (p.offsetTop <= mid) n = Number(p.dataset.page);
    });
    setCurrent(n);
  };

  if (error) return <Alert type="error" message={error} />;
  const fixed = width !== undefined;
  const pageWidth = fixed ? width : Math.floor(inner * zoom);
  const zi = ZOOMS.indexOf(zoom);

  return (
    <div data-testid="pdf-viewer" data-pages={pdf?.numPages ?? 0} data-zoom={zoom}>
      {!fixed && pdf && (
        <div
          role="toolbar"
          aria-label="PDF"
          style={{
            display: 'flex',
            flexWrap: 'wrap',
            gap: 8,
            justifyContent: 'space-between',
            alignItems: 'center',
            marginBottom: 8,
          }}
        >
          <Space size={4}>
            <Tooltip title={t('viewer.prev')}>
              <Button
                icon={<LeftOutlined />}
                aria-label={t('viewer.prev')}
                disabled={current <= 1}
                onClick={() => goTo(current - 1)}
                data-testid="pdf-prev"
              />
            </Tooltip>
            <Typography.Text
              data-testid="pdf-page-number"
              style={{ minWidth: 88, textAlign: 'center', display: 'inline-block' }}
            >
              {t('viewer.page', { n: current, total: pdf.numPages })}
            </Typography.Text>
            <Tooltip title={t('viewer.next')}>
              <Button
                icon={<RightOutlined />}
                aria-label={t('viewer.next')}
                disabled={current >= pages}
                onClick={() => goTo(current + 1)}
                data-testid="pdf-next"
              />
            </Tooltip>
          </Space>
          <Space size={4}>
            <Tooltip title={t('viewer.zoomOut')}>
              <Button
                icon={<ZoomOutOutlined />}
                aria-label={t('viewer.zoomOut')}
                disabled={zi <= 0}
                onClick={() => setZoom(ZOOMS[zi - 1] ?? zoom)}
                data-testid="pdf-zoom-out"
              />
            </Tooltip>
            <Typography.Text style={{ minWidth: 48, textAlign: 'center', display: 'inline-block' }}>
              {Math.round(zoom * 100)}%
            </Typography.Text>
            <Tooltip title={t('viewer.zoomIn')}>
              <Button
                icon={<ZoomInOutlined />}
                aria-label={t('viewer.zoomIn')}
                disabled={zi >= ZOOMS.length - 1}
                onClick={() => setZoom(ZOOMS[zi + 1] ?? zoom)}
                data-testid="pdf-zoom-in"
              />
            </Tooltip>
            <Tooltip title={t('viewer.fit')}>
              <Button
                icon={<ColumnWidthOutlined />}
                aria-label={t('viewer.fit')}
                disabled={zoom === 1}
                onClick={() => setZoom(1)}
                data-testid="pdf-fit"
              />
            </Tooltip>
          </Space>
        </div>
      )}
      <div
        ref={box}
        onScroll={onScroll}
        data-testid="pdf-scroll"
        // scrollable with the keyboard too
        tabIndex={fixed ? undefined : 0}
        role={fixed ? undefined : 'region'}
        aria-label={fixed ? undefined : t('title.document')}
        style={
          fixed
            ? undefined
            : {
                // positioned: the pages' offsetTop is measured from the box (navigation)
                position: 'relative',
                background: '#e9ecf2',
                padding: GUTTER,
                overflow: 'auto',
                maxHeight: height ?? 'calc(100vh - 220px)',
                minHeight: 240,
                borderRadius: 6,
              }
        }
      >
        {!pdf ? (
          <Spin tip={t('common.loading')}>
            <div style={{ height: 200 }} />
          </Spin>
        ) : (
          pageWidth > 0 &&
          Array.from({ length: pages }, (_, i) => (
            <PageCanvas
              key={i}
              pdf={pdf}
              n={i + 1}
              width={pageWidth}
              root={fixed ? null : box.current}
              onPageClick={onPageClick}
              marker={marker}
            />
          ))
        )}
      </div>
      {pdf && pdf.numPages > MAX_PAGES && (
        <Alert type="info" showIcon message={t('viewer.tooMany', { max: MAX_PAGES })} />
      )}
    </div>
  );
}
