import { Button, Space, Spin, Typography } from 'antd';
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useEffect, useRef, useState } from 'react';
import type { TProposedPlacement } from '../../../server/src/contracts/signing';
import { useI18n } from '../i18n/i18n';

GlobalWorkerOptions.workerSrc = workerUrl;

/** A position on a page: 1-based page, box in points from the bottom left of the page as shown. */
export type PlacedBox = Pick<TProposedPlacement, 'page' | 'x' | 'y' | 'width' | 'height'>;

type Props = {
  bytes: Uint8Array | null;
  place: PlacedBox | null;
  /** Preview width in CSS pixels. */
  width: number;
  /** The signer dragged the box or chose another page: the new position, to be checked. */
  onMove: (p: PlacedBox) => void;
};

/**
 * One page of the document with the signature's box over it, where the signing engine proposes
 * it (Decree 30) or where the signer drags it. Pages are rendered by pdf.js with their rotation,
 * so the box is in the same frame as the engine's: points from the bottom left as shown.
 */
export function SignaturePlacer({ bytes, place, width, onMove }: Props) {
  const { t } = useI18n();
  const [pdf, setPdf] = useState<PDFDocumentProxy | null>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [drag, setDrag] = useState<{ dx: number; dy: number; x: number; y: number } | null>(null);
  const page = place?.page ?? 1;

  useEffect(() => {
    if (!bytes) return;
    // pdf.js takes ownership of the buffer it is given: hand it a copy
    const task = getDocument({ data: bytes.slice() });
    task.promise.then(setPdf, () => setPdf(null));

    return () => void task.destroy();
  }, [bytes]);

  useEffect(() => {
    if (!pdf) return;
    let cancelled = false;
    let task: { cancel(): void } | undefined;
    void pdf.getPage(Math.min(page, pdf.numPages)).then((p) => {
      if (cancelled || !canvasRef.current) return;
      const base = p.getViewport({ scale: 1 });
      const s = width / base.width;
      const vp = p.getViewport({ scale: s * devicePixelRatio });
      const canvas = canvasRef.current;
      canvas.width = vp.width;
      canvas.height = vp.height;
      canvas.style.width = `${vp.width / devicePixelRatio}px`;
      canvas.style.height = `${vp.height / devicePixelRatio}px`;
      setSize({ w: base.width, h: base.height });
      const r = p.render({ canvas, viewport: vp });
      task = r;
      r.promise.catch(() => undefined);
    });

    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, page, width]);

  const scale = size ? width / size.w : 1;
  const clamp = (x: number, y: number): [number, number] =>
    size && place
      ? [
          Math.min(Math.max(0, x), size.w - place.width),
          Math.min(Math.max(0, y), size.h - place.height),
        ]
      : [x, y];
  // pointer position → box origin (points, bottom-left origin)
  const toPoints = (e: React.PointerEvent, dx: number, dy: number): [number, number] => {
    const r = canvasRef.current!.getBoundingClientRect();
    const px = (e.clientX - r.left) / scale - dx;
    const top = (e.clientY - r.top) / scale - dy;
    return clamp(px, (size?.h ?? 0) - top - (place?.height ?? 0));
  };
  const start = (e: React.PointerEvent<HTMLDivElement>) => {
    if (!place || !size) return;
    const r = canvasRef.current!.getBoundingClientRect();
    const px = (e.clientX - r.left) / scale;
    const top = (e.clientY - r.top) / scale;
    e.currentTarget.setPointerCapture(e.pointerId);
    setDrag({
      dx: px - place.x,
      dy: top - (size.h - place.y - place.height),
      x: place.x,
      y: place.y,
    });
  };
  const move = (e: React.PointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const [x, y] = toPoints(e, drag.dx, drag.dy);
    setDrag({ ...drag, x, y });
  };
  const end = () => {
    if (!drag || !place) return;
    setDrag(null);
    const r = (v: number) => Math.round(v * 100) / 100;
    onMove({ ...place, x: r(drag.x), y: r(drag.y) });
  };
  // a click on the page moves the box there (keyboard users: the arrows below)
  const click = (e: React.MouseEvent<HTMLCanvasElement>) => {
    if (!place || !size) return;
    const r = canvasRef.current!.getBoundingClientRect();
    const [x, y] = clamp(
      (e.clientX - r.left) / scale - place.width / 2,
      size.h - (e.clientY - r.top) / scale - place.height / 2,
    );
    onMove({ ...place, x: Math.round(x), y: Math.round(y) });
  };
  const nudge = (dx: number, dy: number) => {
    if (!place) return;
    const [x, y] = clamp(place.x + dx, place.y + dy);
    onMove({ ...place, x, y });
  };
  const pages = pdf?.numPages ?? 1;
  const shown = drag && place ? { ...place, x: drag.x, y: drag.y } : place;

  return (
    <div style={{ width }}>
      {!pdf && (
        <Spin>
          <div style={{ height: 200 }} />
        </Spin>
      )}
      <div
        style={{
          position: 'relative',
          width: 'fit-content',
          boxShadow: '0 1px 6px rgba(0,0,0,.2)',
        }}
      >
        <canvas
          ref={canvasRef}
          onClick={click}
          style={{ display: 'block', cursor: place ? 'crosshair' : 'default' }}
          data-testid="placer-page"
          aria-label={t('sign.preview', { page, pages })}
        />
        {shown && size && (
          <div
            data-testid="sign-marker"
            role="img"
            aria-label={t('sign.markerLabel')}
            onPointerDown={start}
            onPointerMove={move}
            onPointerUp={end}
            style={{
              position: 'absolute',
              left: shown.x * scale,
              top: (size.h - shown.y - shown.height) * scale,
              width: shown.width * scale,
              height: shown.height * scale,
              border: '2px dashed #c41d7f',
              background: 'rgba(196,29,127,.12)',
              cursor: 'move',
              touchAction: 'none',
              boxSizing: 'border-box',
            }}
          />
        )}
      </div>
      {place && (
        <Space wrap size={4} style={{ marginTop: 6 }}>
          <Button
            size="small"
            disabled={page <= 1}
            onClick={() => onMove({ ...place, page: page - 1 })}
          >
            {t('sign.prevPage')}
          </Button>
          <Typography.Text type="secondary">{t('sign.pageOf', { page, pages })}</Typography.Text>
          <Button
            size="small"
            disabled={page >= pages}
            onClick={() => onMove({ ...place, page: page + 1 })}
          >
            {t('sign.nextPage')}
          </Button>
          <Button size="small" aria-label={t('sign.moveLeft')} onClick={() => nudge(-10, 0)}>
            ←
          </Button>
          <Button size="small" aria-label={t('sign.moveUp')} onClick={() => nudge(0, 10)}>
            ↑
          </Button>
          <Button size="small" aria-label={t('sign.moveDown')} onClick={() => nudge(0, -10)}>
            ↓
          </Button>
          <Button size="small" aria-label={t('sign.moveRight')} onClick={() => nudge(10, 0)}>
            →
          </Button>
        </Space>
      )}
    </div>
  );
}

/** Width / height of a PNG given in base64 (its IHDR), 1 when unreadable. */
export function pngAspect(b64: string): number {
  try {
    const head = atob(b64.slice(0, 44));
    const u32 = (at: number) =>
      ((head.charCodeAt(at) << 24) |
        (head.charCodeAt(at + 1) << 16) |
        (head.charCodeAt(at + 2) << 8) |
        head.charCodeAt(at + 3)) >>>
      0;
    const w = u32(16);
    const h = u32(20);
    return w > 0 && h > 0 ? w / h : 1;
  } catch {
    return 1;
  }
}
