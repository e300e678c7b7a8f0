import { Schema, Types } from 'mongoose';
import type { ExternalSession } from '../../lib/pades/index.js';
import { SIGNATURE_KINDS, type TSignatureKind } from '../../contracts/signing.js';
import { ObjectId, oneOf, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';

/** How long a signer has to sign the digest on their device. */
export const SESSION_TTL_MS = 15 * 60 * 1000;

/** The prepared PDF lives in GridFS (it can exceed a document's 16 MB), the rest here. */
export type FrozenSession = Omit<ExternalSession, 'preparedPdf'>;

export type SigningSessionDoc = {
  _id: Types.ObjectId;
  documentId: Types.ObjectId;
  orgId: Types.ObjectId;
  userId: Types.ObjectId;
  /** The version that was prepared; completion is refused if another one was added meanwhile. */
  basedOnVersionId: Types.ObjectId;
  preparedFileId: Types.ObjectId;
  session: FrozenSession;
  kind: TSignatureKind;
  signerName: string;
  organization?: string;
  certificateSerial: string;
  status: 'open' | 'completing' | 'completed';
  expiresAt: Date;
  createdAt: Date;
};

const schema = new Schema<SigningSessionDoc>(
  {
    documentId: required(ObjectId),
    orgId: required(ObjectId),
    userId: required(ObjectId),
    basedOnVersionId: required(ObjectId),
    preparedFileId: required(ObjectId),
    session: required(Schema.Types.Mixed),
    kind: oneOf(SIGNATURE_KINDS),
    signerName: required(String),
    organization: String,
    certificateSerial: required(String),
    status: oneOf(['open', 'completing', 'completed']),
    // TTL: the engine removes the session a minute or so after it expires
    expiresAt: required(Date, { expires: 0 }),
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);

export const SigningSessions = defineModel<SigningSessionDoc>('SigningSession', schema);
