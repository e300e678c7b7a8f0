/**
 * Every route × every role × own / other organization, driven by the OpenAPI description (which
 * is generated from the routes themselves, so a new route is covered without editing this file).
 */
import { expect } from 'chai';
import { Types } from 'mongoose';
import { ROLES, type TRole } from '../../../server/src/contracts/common.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { api, makeDocument, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { API, call } from '../../support/call.js';

type Operation = { 'x-roles'?: TRole[] };
type Doc = { paths: Record<string, Record<string, Operation>> };
type Ids = Record<string, string>;

/** Routes anyone logged in may read across organizations: the directory and public keys. */
const DIRECTORY = [/^\/api\/v1\/orgs/, /^\/api\/v1\/receipt-keys/];

function fill(path: string, ids: Ids): string {
  const kind = Object.keys(ids).find((k) => path.includes(`/${k}/{`));

  return path.replace(/\{\w+\}/g, () => (kind ? ids[kind]! : new Types.ObjectId().toHexString()));
}

async function fixture(hub: Hub, org: TOrg, peer: TOrg): Promise<Ids> {
  const clerk = await makeUser(hub, org, ['clerk']);
  const doc = await makeDocument(hub, clerk);
  const sent = await call(hub, clerk.token)(API.exchange.dispatch, {
    body: {
      documentId: doc.id,
      recipients: [peer.id],
    },
  });
  const dispatch = sent.body;
  const admin = await makeUser(hub, org, ['org_admin']);
  const day = new Date().toISOString().slice(0, 10);
  const job = await api(hub, admin.token)('POST', '/api/v1/revalidations', { from: day, to: day });

  return {
    documents: doc.id,
    dispatches: dispatch.id,
    deliveries: dispatch.deliveries![0]!.id,
    orgs: org.id,
    revalidations: String(job.body.id),
  };
}

describe('authorization matrix: every route × role × organization', function () {
  this.timeout(300_000);
  let hub: Hub;
  let doc: Doc;
  let users: Map<TRole, TestUser>;
  let own: Ids;
  let other: Ids;
  before(async () => {
    hub = await startTestHub();
    const a = await makeOrg(hub.ctx);
    const b = await makeOrg(hub.ctx);
    const c = await makeOrg(hub.ctx);
    users = new Map();
    for (const r of ROLES) users.set(r, await makeUser(hub, a, [r]));
    own = await fixture(hub, a, b);
    other = await fixture(hub, b, c);
    doc = (await (await fetch(`${hub.url}/api/openapi.json`)).json()) as Doc;
  });
  after(() => hub.close());

  function operations(): { method: string; path: string; roles: TRole[] }[] {
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op['x-roles'] !== undefined)
        .map(([method, op]) => ({ method: method.toUpperCase(), path, roles: op['x-roles']! })),
    );
  }

  it('covers a meaningful number of protected routes', () => {
    expect(operations().length).to.be.greaterThan(20);
  });

  it('refuses anonymous and forged callers with 401', async () => {
    for (const op of operations()) {
      for (const token of [undefined, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged']) {
        const r = await api(hub, token)(
          op.method,
          fill(op.path, own),
          op.method === 'GET' ? undefined : {},
        );
        expect(r.status, `${op.method} ${op.path} token=${String(token)}`).to.equal(401);
      }
    }
  });

  it('gives each role exactly what the route allows, never a 500, never another organization’s data', async () => {
    const failures: string[] = [];
    for (const op of operations()) {
      for (const role of ROLES) {
        const allowed = op.roles.length === 0 || op.roles.includes(role);
        for (const [side, ids] of [
          ['own', own],
          ['other', other],
        ] as const) {
          const r = await api(hub, users.get(role)!.token)(
            op.method,
            fill(op.path, ids),
            op.method === 'GET' ? undefined : {},
          );
          const where = `${op.method} ${op.path} as ${role} on ${side}: ${r.status}`;
          if (r.status >= 500) failures.push(where);
          else if (!allowed && r.status !== 403) failures.push(`${where} (expected 403)`);
          else if (allowed && r.status === 403 && side === 'own' && op.path.includes('{')) {
            // a finer rule inside the service (e.g. only the owner's user) may still refuse
          } else if (allowed && side === 'other' && op.path.includes('{') && r.status < 300) {
            const readable =
              DIRECTORY.some((d) => d.test(op.path)) || role === 'auditor' || role === 'hub_admin';
            if (!readable) failures.push(`${where} (another organization's resource)`);
          }
        }
      }
    }
    expect(failures).to.deep.equal([]);
  });
});
