import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  besideIndex,
  docPath,
  fileGraph,
  imports,
  moduleCycles,
  moduleGraph,
  regenerated,
} from '../../scripts/architecture.js';

/** The house plan of docs/architecture.md, checked against the code on every run of the suite. */
describe('architecture', () => {
  const all = imports();

  it('keeps the modules table of docs/architecture.md as the import graph says', () => {
    const doc = readFileSync(docPath, 'utf8');
    expect(regenerated(doc), 'run: node --import tsx scripts/architecture.ts').to.equal(doc);
  });

  it('has no module importing another in a loop', () => {
    expect(moduleCycles(moduleGraph(all))).to.deep.equal([]);
  });

  it('has no file importing another in a loop anywhere in server/src', () => {
    expect(moduleCycles(fileGraph(all))).to.deep.equal([]);
  });

  it('reaches every module through its index.ts only', () => {
    expect(besideIndex(all).map((i) => `${i.from} → ${i.to}`)).to.deep.equal([]);
  });

  it('keeps the contracts to themselves at run time: the client dev server reads only contracts/', () => {
    const dir = new URL('../../server/src/contracts/', import.meta.url);
    const outside = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [
          ...readFileSync(new URL(f, dir), 'utf8').matchAll(
            /^(import|export)\b[^;]*?from '([^']+)';/gm,
          ),
        ]
          .filter(
            ([statement, , spec]) =>
              spec!.startsWith('../') && !/^(import|export) type\b/.test(statement),
          )
          .map(([, , spec]) => `${f} → ${spec}`),
      );
    expect(outside).to.deep.equal([]);
  });

  it('sees the imports it judges (a module graph with edges)', () => {
    const edges = [...moduleGraph(all).values()].reduce((n, s) => n + s.size, 0);
    expect(edges).to.be.greaterThan(10);
    expect(moduleGraph(all).get('stats')).to.include('exchange');
  });
});
