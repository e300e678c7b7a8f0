import { expect } from 'chai';
import {
  compareVersions,
  decideEngine,
  type MachineFacts,
} from '../../../server/src/db/engine/decide.js';

const debian13: MachineFacts = {
  uri: undefined,
  platform: 'linux',
  arch: 'x64',
  glibc: '2.41',
  embeddedInstalled: true,
  aptAvailable: true,
  loaderCached: false,
  memoryServerInstalled: true,
};

describe('engine decision', () => {
  it('uses MONGODB_URI whenever it is set', () => {
    expect(decideEngine({ ...debian13, uri: 'mongodb://db:27017' })).to.deep.equal({
      mode: 'uri',
      uri: 'mongodb://db:27017',
    });
  });

  it('runs the engine on the system glibc from 2.38 on (Debian 13)', () => {
    expect(decideEngine(debian13)).to.deep.equal({ mode: 'local-engine', loader: 'system' });
    expect(decideEngine({ ...debian13, glibc: '2.38' })).to.deep.equal({
      mode: 'local-engine',
      loader: 'system',
    });
  });

  it('fetches a newer loader on Debian 12 (glibc 2.36)', () => {
    expect(decideEngine({ ...debian13, glibc: '2.36' })).to.deep.equal({
      mode: 'local-engine',
      loader: 'newer-glibc',
      fetch: true,
    });
  });

  it('reuses a cached loader without apt', () => {
    expect(
      decideEngine({ ...debian13, glibc: '2.36', aptAvailable: false, loaderCached: true }),
    ).to.deep.equal({
      mode: 'local-engine',
      loader: 'newer-glibc',
      fetch: false,
    });
  });

  it('falls back to mongodb-memory-server on old glibc without apt, on musl, on unsupported platforms', () => {
    expect(decideEngine({ ...debian13, glibc: '2.31', aptAvailable: false }).mode).to.equal(
      'memory-server',
    );
    expect(decideEngine({ ...debian13, glibc: null }).mode).to.equal('memory-server');
    expect(decideEngine({ ...debian13, platform: 'win32' }).mode).to.equal('memory-server');
    expect(
      decideEngine({ ...debian13, platform: 'darwin', arch: 'arm64', glibc: null }),
    ).to.deep.equal({
      mode: 'local-engine',
      loader: 'system',
    });
  });

  it('says so when nothing works', () => {
    const d = decideEngine({ ...debian13, platform: 'win32', memoryServerInstalled: false });
    expect(d.mode).to.equal('none');
  });

  it('compares dotted versions numerically', () => {
    expect(compareVersions('2.41', '2.38')).to.equal(1);
    expect(compareVersions('2.9', '2.38')).to.equal(-1);
    expect(compareVersions('2.38', '2.38.0')).to.equal(0);
  });
});
