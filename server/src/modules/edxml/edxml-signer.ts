import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { xmlSignerFromKey, type XmlSigner } from '../../lib/edxml/index.js';
import {
  toBytes,
  hubPki,
  openKey,
  hubEdxmlSeal,
  IssuedCertificates,
  type IssuedDoc,
} from '../pki/index.js';

export type OrgXmlSigner = {
  signer: XmlSigner;
  /** `org-seal`: the organization's own seal certificate; `hub`: the hub's edXML seal. */
  by: 'org-seal' | 'hub';
  subject: string;
};

/**
 * The key that signs an organization's edXML: its newest usable seal certificate whose key the
 * hub holds; otherwise the hub's own edXML seal (an end-entity certificate of the issuing CA,
 * never the CA key), so a package is never sent unsigned. KeyInfo carries the issuing CA too.
 * No role check here: the caller already proved it speaks for the organization.
 */
export async function signerForOrg(ctx: HubContext, orgId: string): Promise<OrgXmlSigner> {
  const now = new Date();
  const seal = (await IssuedCertificates(ctx.db.conn)
    .findOne({
      orgId: new Types.ObjectId(orgId),
      kind: 'seal',
      status: 'good',
      keyOnHub: true,
      notBefore: { $lte: now },
      notAfter: { $gt: now },
    })
    .select('+sealedKey')
    .sort({ notBefore: -1 })
    .lean()) as IssuedDoc | null;
  if (seal?.sealedKey) {
    const pki = await hubPki(ctx);

    return {
      signer: xmlSignerFromKey(openKey(ctx, seal.sealedKey), toBytes(seal.certificate), [
        pki.issuing.certificate,
      ]),
      by: 'org-seal',
      subject: seal.subject.commonName,
    };
  }
  const hub = await hubEdxmlSeal(ctx);

  return {
    signer: xmlSignerFromKey(hub.privateKey, hub.certificate, hub.chain),
    by: 'hub',
    subject: hub.subject,
  };
}
