/**
 * Security issue #26, C1/H3/M6: who may grant which role to whom, and who may rename an
 * organization. The expectations below are written out by hand from the rules (they do not ask
 * server/src/modules/auth/policy.ts), and every answer is checked against the audit log.
 */
import { expect } from 'chai';
import { ROLES, type TRole } from '../../server/src/contracts/common.js';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { AuditLog } from '../../server/src/modules/audit/audit.model.js';
import { HUB_ORG_CODE } from '../../server/src/modules/auth/bootstrap.js';
import { ApiKeys } from '../../server/src/modules/auth/token.model.js';
import { Users } from '../../server/src/modules/auth/user.model.js';
import { Orgs, presentOrg } from '../../server/src/modules/orgs/org.model.js';
import type { TAuditEntry } from '../../server/src/contracts/audit.js';
import { API, call } from '../support/call.js';
import { api, makeOrg, makeUser, tinyPdf, type TestUser } from '../support/factories.js';
import { startTestHub } from '../support/hub.js';

type Target = 'own' | 'agency' | 'inspection' | 'enterprise' | 'hub';
type GranterName =
  | 'hub_admin'
  | 'agency org_admin'
  | 'inspection org_admin'
  | 'enterprise org_admin'
  | 'agency org_admin key'
  | 'inspection org_admin key'
  | 'agency clerk';

/** Users each granter may create, per target organization; every other combination is a 403. */
const USER_GRANTS: Record<GranterName, Partial<Record<Target, TRole[]>>> = {
  hub_admin: {
    hub: ['hub_admin', 'org_admin', 'clerk', 'signer'],
    agency: ['org_admin', 'clerk', 'signer'],
    inspection: ['org_admin', 'clerk', 'signer', 'auditor'],
    enterprise: ['org_admin', 'enterprise_user'],
  },
  'agency org_admin': { own: ['org_admin', 'clerk', 'signer'] },
  'inspection org_admin': { own: ['org_admin', 'clerk', 'signer'] },
  'enterprise org_admin': { own: ['org_admin', 'enterprise_user'] },
  'agency org_admin key': { own: ['org_admin', 'clerk', 'signer'] },
  'inspection org_admin key': { own: ['org_admin', 'clerk', 'signer'] },
  'agency clerk': {},
};

/** API keys (always in the caller's own organization) each granter may create. */
const KEY_GRANTS: Record<GranterName, TRole[]> = {
  // API keys belong to an organization's systems; the hub admin is no org_admin
  hub_admin: [],
  'agency org_admin': ['org_admin', 'clerk', 'signer'],
  'inspection org_admin': ['org_admin', 'clerk', 'signer'],
  'enterprise org_admin': ['org_admin', 'enterprise_user'],
  'agency org_admin key': ['org_admin', 'clerk', 'signer'],
  'inspection org_admin key': ['org_admin', 'clerk', 'signer'],
  'agency clerk': [],
};

type Granter = {
  name: GranterName;
  kind: 'user' | 'api-key';
  id: string;
  actorName: string;
  org: TOrg;
  headers: Record<string, string>;
};

const PASSWORD = 'Mat-khau-cap-2026';
let serial = 0;
const username = () => `cap.${Date.now().toString(36)}.${serial++}`;

/** Runs the calls a few at a time: fast, yet no rate limit or queue is hit. */
async function inBatches<T>(jobs: (() => Promise<T>)[], size = 16): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < jobs.length; i += size) {
    out.push(...(await Promise.all(jobs.slice(i, i + size).map((j) => j()))));
  }

  return out;
}

describe('security: role grants and organization changes (C1, H3, M6)', function () {
  this.timeout(180_000);
  let hub: Hub;
  let orgs: Record<'agencyA' | 'inspectionA' | 'enterpriseA' | Exclude<Target, 'own'>, TOrg>;
  let hubAdmin: TestUser;
  let admins: Record<'agency' | 'inspection' | 'enterprise', TestUser>;
  let granters: Granter[];

  const as = (g: { headers: Record<string, string> }) => {
    const call = api(hub);

    return (method: string, path: string, body?: unknown) => call(method, path, body, g.headers);
  };
  const bearer = (u: TestUser) => ({ authorization: `Bearer ${u.token}` });
  const audit = (filter: Record<string, unknown>) =>
    AuditLog(hub.ctx.db.conn).countDocuments(filter);

  /** An org_admin API key, made through the API by the organization's admin. */
  async function orgAdminKey(admin: TestUser, name: string): Promise<{ key: string; id: string }> {
    const r = await as({ headers: bearer(admin) })('POST', '/api/v1/api-keys', {
      name,
      roles: ['org_admin'],
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);

    return { key: String(r.body.key), id: String(r.body.id) };
  }

  before(async () => {
    hub = await startTestHub();
    const hubOrg = presentOrg(
      (await Orgs(hub.ctx.db.conn).findOne({ code: HUB_ORG_CODE }).lean())!,
    );
    const [agencyA, inspectionA, enterpriseA, agency, inspection, enterprise] = await Promise.all([
      makeOrg(hub.ctx, { name: 'UBND huyện Thử A' }),
      makeOrg(hub.ctx, { name: 'Thanh tra huyện Thử A', kind: 'inspection' }),
      makeOrg(hub.ctx, { name: 'Công ty Thử A', kind: 'enterprise', code: '2800000001' }),
      makeOrg(hub.ctx, { name: 'UBND huyện Thử B' }),
      makeOrg(hub.ctx, { name: 'Thanh tra huyện Thử B', kind: 'inspection' }),
      makeOrg(hub.ctx, { name: 'Công ty Thử B', kind: 'enterprise', code: '2800000002' }),
    ]);
    orgs = { agencyA, inspectionA, enterpriseA, agency, inspection, enterprise, hub: hubOrg };
    hubAdmin = await makeUser(hub, hubOrg, ['hub_admin'], 'Quản trị trục thử');
    admins = {
      agency: await makeUser(hub, agencyA, ['org_admin'], 'Quản trị huyện A'),
      inspection: await makeUser(hub, inspectionA, ['org_admin'], 'Quản trị thanh tra A'),
      enterprise: await makeUser(hub, enterpriseA, ['org_admin'], 'Quản trị công ty A'),
    };
    const clerk = await makeUser(hub, agencyA, ['clerk'], 'Văn thư huyện A');
    const agencyKey = await orgAdminKey(admins.agency, 'QLVB huyện A');
    const inspectionKey = await orgAdminKey(admins.inspection, 'QLVB thanh tra A');
    const user = (name: GranterName, u: TestUser, org: TOrg, actorName: string): Granter => ({
      name,
      kind: 'user',
      id: u.id,
      actorName,
      org,
      headers: bearer(u),
    });
    const key = (name: GranterName, k: { key: string; id: string }, org: TOrg): Granter => ({
      name,
      kind: 'api-key',
      id: k.id,
      actorName: name === 'agency org_admin key' ? 'QLVB huyện A' : 'QLVB thanh tra A',
      org,
      headers: { 'x-api-key': k.key },
    });
    granters = [
      user('hub_admin', hubAdmin, hubOrg, 'Quản trị trục thử'),
      user('agency org_admin', admins.agency, agencyA, 'Quản trị huyện A'),
      user('inspection org_admin', admins.inspection, inspectionA, 'Quản trị thanh tra A'),
      user('enterprise org_admin', admins.enterprise, enterpriseA, 'Quản trị công ty A'),
      key('agency org_admin key', agencyKey, agencyA),
      key('inspection org_admin key', inspectionKey, inspectionA),
      user('agency clerk', clerk, agencyA, 'Văn thư huyện A'),
    ];
  });
  after(() => hub.close());

  /** The row a refused grant leaves: its actor, what was tried, on which organization. */
  const refusedRow = (g: Granter, attempted: string, orgId: string, role: TRole) => ({
    action: 'role.grant.refused',
    'actor.id': g.id,
    'actor.kind': g.kind,
    'actor.name': g.actorName,
    'details.attempted': attempted,
    'target.id': orgId,
    'details.roles': [role],
  });

  it('POST /users: every granter × organization kind × role answers as the grant table says, and is audited', async () => {
    type Case = { g: Granter; target: Target; org: TOrg; role: TRole; want: number };
    const cases: Case[] = [];
    for (const g of granters) {
      const targets = new Map<string, [Target, TOrg]>();
      targets.set(g.org.id, [g.org.code === HUB_ORG_CODE ? 'hub' : 'own', g.org]);
      for (const t of ['agency', 'inspection', 'enterprise', 'hub'] as const) {
        if (!targets.has(orgs[t].id)) targets.set(orgs[t].id, [t, orgs[t]]);
      }
      for (const [target, org] of targets.values()) {
        for (const role of ROLES) {
          const want = USER_GRANTS[g.name][target]?.includes(role) ? 201 : 403;
          cases.push({ g, target, org, role, want });
        }
      }
    }
    expect(cases.length).to.be.greaterThan(150);
    const results = await inBatches(
      cases.map((c) => async () => {
        const name = username();
        const r = await as(c.g)('POST', '/api/v1/users', {
          username: name,
          fullName: 'Người được cấp',
          roles: [c.role],
          password: PASSWORD,
          orgId: c.org.id,
        });

        return { c, r, name };
      }),
    );
    const failures: string[] = [];
    for (const { c, r, name } of results) {
      const where = `${c.g.name} → user ${c.role} in ${c.target}`;
      if (r.status !== c.want) {
        failures.push(`${where}: ${r.status}, expected ${c.want} ${JSON.stringify(r.body)}`);
        continue;
      }
      if (r.status === 201) {
        expect(r.body.roles, where).to.deep.equal([c.role]);
        const rows = await audit({
          action: 'user.created',
          'target.id': r.body.id,
          'actor.id': c.g.id,
          'actor.kind': c.g.kind,
          'actor.name': c.g.actorName,
          'details.roles': [c.role],
        });
        if (rows !== 1) failures.push(`${where}: ${rows} user.created rows`);
      } else {
        expect(r.body.code, where).to.equal('FORBIDDEN');
        expect(await Users(hub.ctx.db.conn).exists({ username: name }), where).to.equal(null);
        const rows = await audit(refusedRow(c.g, 'create-user', c.org.id, c.role));
        if (rows !== 1) failures.push(`${where}: ${rows} role.grant.refused rows`);
      }
    }
    expect(failures.join('\n')).to.equal('');
  });

  it('POST /api-keys: every granter × role answers as the key table says, and is audited', async () => {
    const cases = granters.flatMap((g) =>
      ROLES.map((role) => ({ g, role, want: KEY_GRANTS[g.name].includes(role) ? 201 : 403 })),
    );
    const results = await inBatches(
      cases.map((c) => async () => {
        const name = `Hệ thống ${username()}`;
        const r = await as(c.g)('POST', '/api/v1/api-keys', { name, roles: [c.role] });

        return { c, r, name };
      }),
    );
    const failures: string[] = [];
    for (const { c, r, name } of results) {
      const where = `${c.g.name} → key ${c.role}`;
      if (r.status !== c.want) {
        failures.push(`${where}: ${r.status}, expected ${c.want} ${JSON.stringify(r.body)}`);
        continue;
      }
      if (r.status === 201) {
        expect(r.body.orgId, where).to.equal(c.g.org.id);
        expect(r.body.roles, where).to.deep.equal([c.role]);
        const rows = await audit({
          action: 'api-key.created',
          'target.id': r.body.id,
          'actor.id': c.g.id,
          'actor.kind': c.g.kind,
          'details.roles': [c.role],
        });
        if (rows !== 1) failures.push(`${where}: ${rows} api-key.created rows`);
      } else {
        expect(r.body.code, where).to.equal('FORBIDDEN');
        expect(await ApiKeys(hub.ctx.db.conn).exists({ name }), where).to.equal(null);
        const rows = await audit(refusedRow(c.g, 'create-api-key', c.g.org.id, c.role));
        if (rows !== 1) failures.push(`${where}: ${rows} role.grant.refused rows`);
      }
    }
    expect(failures.join('\n')).to.equal('');
  });

  it('C1: enterprise and agency org_admins cannot mint auditor or cross-kind clerk credentials; each attempt is audited', async () => {
    const enterprise = as({ headers: bearer(admins.enterprise) });
    const agency = as({ headers: bearer(admins.agency) });
    const attempts = [
      await enterprise('POST', '/api/v1/api-keys', { name: 'C1 auditor', roles: ['auditor'] }),
      await enterprise('POST', '/api/v1/api-keys', { name: 'C1 clerk', roles: ['clerk'] }),
      await agency('POST', '/api/v1/users', {
        username: username(),
        fullName: 'Thanh tra giả',
        roles: ['auditor'],
        password: PASSWORD,
      }),
      await agency('POST', '/api/v1/api-keys', { name: 'C1 auditor key', roles: ['auditor'] }),
    ];
    expect(attempts.map((a) => a.status)).to.deep.equal([403, 403, 403, 403]);
    for (const a of attempts) {
      expect(a.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(a.body.code).to.equal('FORBIDDEN');
    }
    expect(await ApiKeys(hub.ctx.db.conn).exists({ name: /^C1 / })).to.equal(null);
    // the hub admin reads the refusals through the audit API, actors named
    const log = await call(hub, hubAdmin.token)(API.audit.list, {
      query: { action: 'role.grant.refused', limit: 500 },
    });
    const rows = log.body.items;
    // details are free-form per action: a refused grant lists the roles asked for
    const asked = (r: TAuditEntry, role: TRole) =>
      Array.isArray(r.details.roles) && r.details.roles.includes(role);
    const by = (u: TestUser, role: TRole) =>
      rows.filter((r) => r.actor.id === u.id && asked(r, role)).length;
    expect(by(admins.enterprise, 'auditor')).to.be.at.least(1);
    expect(by(admins.enterprise, 'clerk')).to.be.at.least(1);
    expect(by(admins.agency, 'auditor')).to.be.at.least(2);
    // and the enterprise admin sees its own organization's refusals too
    const own = await call(hub, admins.enterprise.token)(API.audit.list, {
      query: { action: 'role.grant.refused' },
    });
    expect(own.status).to.equal(200);
    expect(own.body.items.some((r) => r.actor.id === admins.enterprise.id)).to.equal(true);
  });

  it('M6: an API key acting is audited as kind api-key, with its id and name', async () => {
    const created = await as({ headers: bearer(admins.agency) })('POST', '/api/v1/api-keys', {
      name: 'Hệ thống tuyển dụng',
      roles: ['org_admin'],
    });
    expect(created.status).to.equal(201);
    const asKey = as({ headers: { 'x-api-key': String(created.body.key) } });
    const made = await asKey('POST', '/api/v1/users', {
      username: username(),
      fullName: 'Văn thư mới',
      roles: ['clerk'],
      password: PASSWORD,
    });
    expect(made.status).to.equal(201);
    expect(made.body.orgId).to.equal(orgs.agencyA.id);
    const revoked = await as({ headers: bearer(admins.agency) })(
      'DELETE',
      `/api/v1/api-keys/${String(created.body.id)}`,
    );
    expect(revoked.status).to.equal(200);
    const log = await call(hub, admins.agency.token)(API.audit.list, {
      query: { targetId: String(made.body.id) },
    });
    const [row] = log.body.items;
    expect(row).to.deep.include({ action: 'user.created' });
    expect(row!.actor).to.deep.include({
      kind: 'api-key',
      id: String(created.body.id),
      name: 'Hệ thống tuyển dụng',
    });
    expect(
      await audit({
        action: 'api-key.revoked',
        'target.id': String(created.body.id),
        'actor.id': admins.agency.id,
      }),
    ).to.equal(1);
  });

  it('M6: a document an API key registers is audited with the key as actor, not as a user', async () => {
    const created = await as({ headers: bearer(admins.agency) })('POST', '/api/v1/api-keys', {
      name: 'QLVB gửi văn bản',
      roles: ['clerk'],
    });
    expect(created.status).to.equal(201);
    const form = new FormData();
    form.append(
      'meta',
      JSON.stringify({
        type: 'Công văn',
        notation: 'UBND-VP',
        issuePlace: 'Thanh Hóa',
        issueDate: '2026-11-28',
        subject: 'V/v kiểm thử nhật ký',
        signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
      }),
    );
    form.append('file', new Blob([await tinyPdf()], { type: 'application/pdf' }), 'cv.pdf');
    const res = await fetch(`${hub.url}/api/v1/documents`, {
      method: 'POST',
      headers: { 'x-api-key': String(created.body.key) },
      body: form,
    });
    expect(res.status).to.equal(201);
    const doc = (await res.json()) as { id: string };
    // the entry is written just after the request answers
    let actor: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !actor; i++) {
      const row = await AuditLog(hub.ctx.db.conn)
        .findOne({ action: 'document.created', 'target.id': doc.id })
        .lean();
      actor = row?.actor;
      if (!actor) await new Promise((r) => setTimeout(r, 50));
    }
    expect(actor).to.deep.equal({
      id: String(created.body.id),
      name: 'QLVB gửi văn bản',
      orgId: orgs.agencyA.id,
      kind: 'api-key',
    });
  });

  describe('PATCH /users/:id', () => {
    it('changes roles within the policy, audits before/after and ends the user’s sessions', async () => {
      const clerk = await makeUser(hub, orgs.agencyA, ['clerk'], 'Văn thư đổi vai trò');
      expect((await as({ headers: bearer(clerk) })('GET', '/api/v1/auth/me')).status).to.equal(200);
      const admin = as({ headers: bearer(admins.agency) });
      const changed = await admin('PATCH', `/api/v1/users/${clerk.id}`, {
        roles: ['clerk', 'signer'],
        title: 'Phó Chánh Văn phòng',
      });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      expect(changed.body.roles).to.have.members(['clerk', 'signer']);
      // the token that carried the old roles is dead at once
      expect((await as({ headers: bearer(clerk) })('GET', '/api/v1/auth/me')).status).to.equal(401);
      expect(
        await audit({
          action: 'user.updated',
          'target.id': clerk.id,
          'actor.id': admins.agency.id,
          'details.changes.roles.before': ['clerk'],
          'details.changes.roles.after': ['clerk', 'signer'],
        }),
      ).to.equal(1);
    });

    it('disables a user: sessions end, the change is audited', async () => {
      const signer = await makeUser(hub, orgs.enterpriseA, ['enterprise_user'], 'Nhân viên nghỉ');
      const r = await as({ headers: bearer(admins.enterprise) })(
        'PATCH',
        `/api/v1/users/${signer.id}`,
        { active: false },
      );
      expect(r.status).to.equal(200);
      expect(r.body.active).to.equal(false);
      expect((await as({ headers: bearer(signer) })('GET', '/api/v1/auth/me')).status).to.equal(
        401,
      );
      expect(
        await audit({
          action: 'user.updated',
          'target.id': signer.id,
          'details.changes.active.after': false,
        }),
      ).to.equal(1);
    });

    it('refuses role escalation, other organizations, users above the granter and self-changes', async () => {
      const auditor = await makeUser(hub, orgs.inspectionA, ['auditor'], 'Thanh tra viên');
      const clerk = await makeUser(hub, orgs.inspectionA, ['clerk'], 'Văn thư thanh tra');
      const otherClerk = await makeUser(hub, orgs.agency, ['clerk'], 'Văn thư huyện B');
      const admin = as({ headers: bearer(admins.inspection) });
      const escalate = await admin('PATCH', `/api/v1/users/${clerk.id}`, { roles: ['auditor'] });
      expect(escalate.status).to.equal(403);
      const above = await admin('PATCH', `/api/v1/users/${auditor.id}`, { active: false });
      expect(above.status).to.equal(403);
      const self = await admin('PATCH', `/api/v1/users/${admins.inspection.id}`, {
        roles: ['clerk'],
      });
      expect(self.status).to.equal(403);
      const foreign = await admin('PATCH', `/api/v1/users/${otherClerk.id}`, { active: false });
      expect(foreign.status).to.equal(404);
      const byClerk = await as({ headers: bearer(clerk) })('PATCH', `/api/v1/users/${clerk.id}`, {
        roles: ['org_admin'],
      });
      expect(byClerk.status).to.equal(403);
      const users = Users(hub.ctx.db.conn);
      expect((await users.findById(clerk.id).lean())!.roles).to.deep.equal(['clerk']);
      expect((await users.findById(auditor.id).lean())!.active).to.equal(true);
      expect((await users.findById(otherClerk.id).lean())!.active).to.equal(true);
      for (const [actor, target] of [
        [admins.inspection, clerk],
        [admins.inspection, auditor],
        [admins.inspection, admins.inspection],
        [clerk, clerk],
      ] as const) {
        expect(
          await audit({
            action: 'role.grant.refused',
            'actor.id': actor.id,
            'target.id': target.id,
            'details.attempted': 'update-user',
          }),
          `${actor.id} → ${target.id}`,
        ).to.be.at.least(1);
      }
      // the hub admin may grant auditor in an inspection organization
      const byHub = await as({ headers: bearer(hubAdmin) })('PATCH', `/api/v1/users/${clerk.id}`, {
        roles: ['auditor'],
      });
      expect(byHub.status).to.equal(200);
    });
  });

  describe('organizations (H3)', () => {
    it('an org_admin cannot rename its organization (to another agency’s name or any); audited', async () => {
      const admin = as({ headers: bearer(admins.agency) });
      const steal = await admin('PATCH', `/api/v1/orgs/${orgs.agencyA.id}`, {
        name: orgs.agency.name,
      });
      expect(steal.status).to.equal(403);
      expect(steal.body.code).to.equal('FORBIDDEN');
      const rename = await admin('PATCH', `/api/v1/orgs/${orgs.agencyA.id}`, {
        shortName: 'UBND B',
      });
      expect(rename.status).to.equal(403);
      const after = await Orgs(hub.ctx.db.conn).findById(orgs.agencyA.id).lean();
      expect(after!.name).to.equal(orgs.agencyA.name);
      expect(after!.shortName).to.equal(undefined);
      expect(
        await audit({
          action: 'org.change.refused',
          'actor.id': admins.agency.id,
          'target.id': orgs.agencyA.id,
          'details.attempted': 'rename-org',
        }),
      ).to.equal(2);
      // nor change its kind, level or state, nor touch another organization
      for (const body of [{ kind: 'inspection' }, { level: 'province' }, { active: false }]) {
        expect((await admin('PATCH', `/api/v1/orgs/${orgs.agencyA.id}`, body)).status).to.equal(
          403,
        );
      }
      const foreign = await admin('PATCH', `/api/v1/orgs/${orgs.agency.id}`, {
        contact: { phone: '0237 000 000' },
      });
      expect(foreign.status).to.equal(403);
    });

    it('an org_admin updates its contact details (the form re-sends the unchanged name); audited with before/after', async () => {
      const r = await call(hub, admins.agency.token)(API.orgs.update, {
        params: orgs.agencyA,
        body: { name: orgs.agencyA.name, shortName: '', contact: { phone: '0237 3865 123' } },
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.contact.phone).to.equal('0237 3865 123');
      expect(
        await audit({
          action: 'org.updated',
          'actor.id': admins.agency.id,
          'target.id': orgs.agencyA.id,
          'details.changes.contact.after.phone': '0237 3865 123',
          'details.changes.name': { $exists: false },
        }),
      ).to.equal(1);
    });

    it('the hub admin cannot give an organization a name already taken (accents and case aside): 409', async () => {
      const hubCall = as({ headers: bearer(hubAdmin) });
      const taken = await hubCall('PATCH', `/api/v1/orgs/${orgs.enterpriseA.id}`, {
        name: orgs.agency.name,
      });
      expect(taken.status).to.equal(409);
      expect(taken.body.code).to.equal('CONFLICT');
      const folded = await hubCall('POST', '/api/v1/orgs', {
        code: '000.00.99.H56',
        name: 'ubnd HUYEN thu b',
        kind: 'agency',
      });
      expect(folded.status).to.equal(409);
      expect(await Orgs(hub.ctx.db.conn).exists({ code: '000.00.99.H56' })).to.equal(null);
      const ok = await hubCall('PATCH', `/api/v1/orgs/${orgs.enterpriseA.id}`, {
        name: 'Công ty Thử A mới',
      });
      expect(ok.status).to.equal(200);
      expect(
        await audit({
          action: 'org.updated',
          'actor.id': hubAdmin.id,
          'target.id': orgs.enterpriseA.id,
          'details.changes.name.before': 'Công ty Thử A',
          'details.changes.name.after': 'Công ty Thử A mới',
        }),
      ).to.equal(1);
      const made = await hubCall('POST', '/api/v1/orgs', {
        code: '000.00.98.H56',
        name: 'UBND xã Mới Lập',
        kind: 'inspection',
      });
      expect(made.status).to.equal(201);
      expect(
        await audit({ action: 'org.created', 'actor.id': hubAdmin.id, 'target.id': made.body.id }),
      ).to.equal(1);
    });

    it('deactivating an organization ends its users’ sessions; its name can then be reused only while it stays inactive', async () => {
      const org = await makeOrg(hub.ctx, { name: 'UBND xã Sáp Nhập' });
      const clerk = await makeUser(hub, org, ['clerk']);
      const hubCall = as({ headers: bearer(hubAdmin) });
      expect((await hubCall('PATCH', `/api/v1/orgs/${org.id}`, { active: false })).status).to.equal(
        200,
      );
      expect((await as({ headers: bearer(clerk) })('GET', '/api/v1/auth/me')).status).to.equal(401);
      const successor = await makeOrg(hub.ctx, { name: 'UBND xã Sáp Nhập' });
      expect(successor.name).to.equal('UBND xã Sáp Nhập');
      const back = await hubCall('PATCH', `/api/v1/orgs/${org.id}`, { active: true });
      expect(back.status).to.equal(409);
      expect(
        await audit({
          action: 'org.updated',
          'target.id': org.id,
          'details.changes.active.after': false,
        }),
      ).to.equal(1);
    });

    it('changes an organization’s kind only when nobody holds a role the new kind forbids', async () => {
      const org = await makeOrg(hub.ctx, { name: 'Thanh tra huyện Đổi Loại', kind: 'inspection' });
      const auditor = await makeUser(hub, org, ['auditor']);
      const hubCall = as({ headers: bearer(hubAdmin) });
      const refused = await hubCall('PATCH', `/api/v1/orgs/${org.id}`, { kind: 'agency' });
      expect(refused.status).to.equal(409);
      await Users(hub.ctx.db.conn).updateOne({ _id: auditor.id }, { $set: { roles: ['clerk'] } });
      const changed = await call(hub, hubAdmin.token)(API.orgs.update, {
        params: org,
        body: { kind: 'agency' },
      });
      expect(changed.status).to.equal(200);
      expect(changed.body.kind).to.equal('agency');
    });
  });

  describe('audit chain', () => {
    it('keeps the audit chain whole after every grant, refusal and organization change above', async () => {
      const v = await as({ headers: bearer(hubAdmin) })('GET', '/api/v1/audit/verify');
      expect(v.status).to.equal(200);
      expect(v.body.ok, JSON.stringify(v.body)).to.equal(true);
      expect(v.body.count).to.be.greaterThan(250);
    });
  });
});
