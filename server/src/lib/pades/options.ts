import type { CmsSigner } from '../cms/signer.js';
import type { TimestampFunction } from '../pki/tsa-client.js';
import type { WidgetAppearance } from '../pdf/signature-field.js';
import type { PdfFile } from '../pdf/pdf-file.js';

export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

export type RevocationData = { ocsp?: Uint8Array[]; crls?: Uint8Array[] };
/** Fetches OCSP responses / CRLs for one certificate (DER) given its issuer (DER). */
export type RevocationProvider = (cert: Uint8Array, issuer: Uint8Array) => Promise<RevocationData>;

/** What an appearance may show about who signs: the signer certificate (DER). */
export type AppearanceContext = { signerCertificate?: Uint8Array };

/** Builds a visible appearance for a given parsed file (page + rectangle + XObject). */
export type AppearanceFactory = (
  file: PdfFile,
  signingTime: Date,
  context?: AppearanceContext,
) => Promise<WidgetAppearance> | WidgetAppearance;

export type SignPdfOptions = {
  signer: CmsSigner;
  level?: PadesLevel;
  tsaUrl?: string;
  /** Injected RFC 3161 client; takes precedence over tsaUrl. */
  timestamp?: TimestampFunction;
  reason?: string;
  location?: string;
  contactInfo?: string;
  name?: string;
  signingTime?: Date;
  fieldName?: string;
  appearance?: AppearanceFactory;
  /** DocMDP P=2 certification; only allowed on the first signature. */
  certify?: boolean;
  /**
   * B-LT/B-LTA: OCSP/CRL for every non-anchor certificate of the signer's and TSA's chains
   * (onlineRevocation() fetches them from each certificate's AIA/CDP). Given, a certificate it
   * finds nothing for fails the signing; absent, the /DSS holds certificates only.
   */
  revocation?: RevocationProvider;
  /** B-LT/B-LTA: finds an issuer certificate the chains lack (caIssuersFromAia() asks AIA). */
  findIssuer?: (cert: Uint8Array) => Promise<Uint8Array[]>;
};
