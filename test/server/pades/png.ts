import { deflateSync } from 'node:zlib';

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A transparent RGBA PNG with a ring and a bar in one colour (a stand-in for a seal or signature). */
export function ringPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  return rgbaPng(width, height, (x, y) => {
    const d = Math.hypot(x - width / 2, y - height / 2);
    const on =
      (d < Math.min(width, height) / 2 - 2 && d > Math.min(width, height) / 2 - 8) ||
      Math.abs(y - height / 2) < 3;

    return { rgb, on };
  });
}

/** An 8-bit RGBA PNG whose pixel (x, y) has the colour `paint` gives, opaque if on, else clear. */
function rgbaPng(
  width: number,
  height: number,
  paint: (x: number, y: number) => { rgb: [number, number, number]; on: boolean },
): Buffer {
  const row = width * 4 + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * row + 1 + x * 4;
      const { rgb, on } = paint(x, y);
      raw[o] = rgb[0];
      raw[o + 1] = rgb[1];
      raw[o + 2] = rgb[2];
      raw[o + 3] = on ? 255 : 0;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A stand-in for a handwritten signature: a blue ring with a bar, and a solid green square in its
 * top-left corner, so a rendering shows whether it is upright (the square must stay top left).
 */
export function signaturePng(width = 240, height = 100): Buffer {
  return markedPng(width, height, [0, 0, 200], [0, 160, 0]);
}

function markedPng(
  width: number,
  height: number,
  rgb: [number, number, number],
  mark: [number, number, number],
): Buffer {
  const side = Math.round(Math.min(width, height) / 4);

  return rgbaPng(width, height, (x, y) => {
    const d = Math.hypot((x - width / 2) / (width / 2), (y - height / 2) / (height / 2));
    const inMark = x < side && y < side;
    const on = inMark || (d < 0.98 && d > 0.8) || Math.abs(y - height / 2) < 3;

    return { rgb: inMark ? mark : rgb, on };
  });
}
