/** Appearance images drawn in the browser (PNG, base64 without the data: prefix). */
function canvas(w: number, h: number): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;

  return [c, c.getContext('2d')!];
}

const b64 = (c: HTMLCanvasElement) =>
  c.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');

/** The signer's name in a handwriting-like italic over a thin stroke. */
export function signatureImage(name: string): string {
  const [c, g] = canvas(540, 210);
  g.strokeStyle = '#1d39c4';
  g.lineWidth = 3;
  g.beginPath();
  g.moveTo(30, 150);
  g.bezierCurveTo(160, 60, 300, 200, 510, 110);
  g.stroke();
  g.fillStyle = '#1d39c4';
  g.font = 'italic 52px "Brush Script MT", "Segoe Script", cursive, serif';
  g.textAlign = 'center';
  g.fillText(name, 270, 120, 500);

  return b64(c);
}

/** A round red seal with the organization's name along the rim and a star in the middle. */
export function sealImage(orgName: string): string {
  const [c, g] = canvas(400, 400);
  g.strokeStyle = g.fillStyle = '#d4380d';
  g.lineWidth = 10;
  g.beginPath();
  g.arc(200, 200, 185, 0, Math.PI * 2);
  g.stroke();
  g.lineWidth = 4;
  g.beginPath();
  g.arc(200, 200, 130, 0, Math.PI * 2);
  g.stroke();
  g.font = 'bold 30px "Times New Roman", serif';
  const text = orgName.toUpperCase();
  const step = (Math.PI * 1.7) / Math.max(1, text.length);
  [...text].forEach((ch, i) => {
    const a = -Math.PI / 2 - (step * (text.length - 1)) / 2 + i * step;
    g.save();
    g.translate(200 + Math.cos(a) * 155, 200 + Math.sin(a) * 155);
    g.rotate(a + Math.PI / 2);
    g.textAlign = 'center';
    g.fillText(ch, 0, 10);
    g.restore();
  });
  g.beginPath();
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? 60 : 24;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    g.lineTo(200 + Math.cos(a) * r, 200 + Math.sin(a) * r);
  }
  g.closePath();
  g.fill();

  return b64(c);
}
