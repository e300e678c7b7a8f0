import type { TPlacementQuery, TProposedPlacement } from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import {
  imageShapeFor,
  proposePlacement,
  signedByLines,
  textShapeFor,
} from '../../lib/pades/index.js';
import type { Principal } from '../../http/principal.js';
import { getOwnDocument, readFileBytes } from '../documents/index.js';
import { getOrg } from '../orgs/index.js';
import { signableVersion } from './sign-document.js';

/**
 * Where the signing engine would put an appearance on the document's current version, or (with a
 * box) whether the caller's position passes the same rules; the web client's sign dialog shows it
 * on the page preview before signing. Refusals are 422 problems naming the page.
 */
export async function proposeSignaturePlacement(
  ctx: HubContext,
  principal: Principal,
  documentId: string,
  q: TPlacementQuery,
): Promise<TProposedPlacement> {
  const doc = await getOwnDocument(ctx, principal, documentId);
  const bytes = await readFileBytes(ctx, signableVersion(doc).fileId);
  const now = new Date();
  const lines =
    q.mode === 'copy'
      ? [`Số: ${doc.codeLabel}`, principal.name, now.toISOString()]
      : signedByLines(
          { name: principal.name, organization: (await getOrg(ctx, principal.orgId)).name },
          now,
        );
  const shape = q.aspect ? imageShapeFor(q.mode, q.aspect) : await textShapeFor(q.mode, lines);
  const explicit =
    q.x !== undefined && q.y !== undefined && q.width !== undefined && q.height !== undefined
      ? {
          pageIndex: (q.page ?? 1) - 1,
          box: [q.x, q.y, q.width, q.height] as [number, number, number, number],
        }
      : undefined;

  return proposePlacement(bytes, q.mode, shape, explicit);
}
