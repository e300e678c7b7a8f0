import { expect } from 'chai';
import { API } from '../../../server/src/contracts/api.js';
import { API_PREFIX } from '../../../server/src/contracts/endpoint.js';
import type { Hub } from '../../../server/src/hub.js';
import { startTestHub } from '../../support/hub.js';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        'x-roles'?: string[];
        requestBody?: {
          content: Record<
            string,
            { schema: { properties: Record<string, unknown>; additionalProperties?: boolean } }
          >;
        };
      }
    >
  >;
};

describe('OpenAPI', () => {
  let hub: Hub;
  before(async () => (hub = await startTestHub()));
  after(() => hub.close());

  it('describes the routes with the schemas that validate them', async () => {
    const doc = (await (await fetch(`${hub.url}/api/openapi.json`)).json()) as Doc;
    expect(doc.openapi).to.equal('3.1.0');
    const dispatch =
      doc.paths['/api/v1/dispatches']?.post?.requestBody?.content['application/json']?.schema;
    expect(dispatch?.properties).to.have.keys(
      'documentId',
      'versionId',
      'recipients',
      'dueDate',
      'note',
    );
    expect(dispatch?.additionalProperties).to.equal(false);
    expect(doc.paths).to.have.property('/api/v1/deliveries/{id}/status');
    expect(doc.paths).to.have.property('/api/v1/auth/login');
  });

  it('serves every route of the contract where the contract says, with its roles', async () => {
    const doc = (await (await fetch(`${hub.url}/api/openapi.json`)).json()) as Doc;
    for (const table of Object.values(API)) {
      for (const e of Object.values(table)) {
        const path =
          `${'root' in e ? e.root : API_PREFIX}${e.base}${e.path === '/' ? '' : e.path}`.replace(
            /:(\w+)/g,
            '{$1}',
          );
        const op = doc.paths[path]?.[e.method.toLowerCase()];
        expect(op, `${e.method} ${path}`).to.not.equal(undefined);
        expect(op?.['x-roles'], `${e.method} ${path}`).to.deep.equal(e.roles);
      }
    }
  });

  it('serves a browsable page', async () => {
    const page = await fetch(`${hub.url}/api/docs/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('/api/openapi.json');
    expect((await fetch(`${hub.url}/api/docs/swagger-ui-bundle.js`)).status).to.equal(200);
  });
});
