import mongoose, { type Connection, type Types } from 'mongoose';
import { AppError } from '../errors/app-error.js';

// mongoose's own driver copy: its Db and a GridFSBucket from another copy must not be mixed
export type GridFSBucket = InstanceType<typeof mongoose.mongo.GridFSBucket>;

/** A GridFS bucket on the hub's connection; 503 while the database is not there. */
export function fileBucket(conn: Connection, bucketName: string): GridFSBucket {
  const db = conn.db;
  if (!db) throw new AppError('UNAVAILABLE', 'Cơ sở dữ liệu chưa sẵn sàng.');

  return new mongoose.mongo.GridFSBucket(db, { bucketName });
}

/** Writes `pieces`, in order, as one new file; resolves with its id once it is stored. */
export async function uploadFile(
  bucket: GridFSBucket,
  name: string,
  pieces: readonly Uint8Array[],
  metadata: Record<string, unknown>,
): Promise<Types.ObjectId> {
  const upload = bucket.openUploadStream(name, { metadata });
  await new Promise<void>((resolve, reject) => {
    upload.once('error', reject);
    upload.once('finish', () => resolve());
    for (const piece of pieces)
      upload.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    upload.end();
  });

  return upload.id;
}

/** A stored file's bytes, whole. */
export async function downloadFile(bucket: GridFSBucket, id: Types.ObjectId): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of bucket.openDownloadStream(id)) chunks.push(chunk as Buffer);

  return Buffer.concat(chunks);
}
