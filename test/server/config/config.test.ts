import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/src/config/config.js';

describe('config', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).to.equal(8080);
    expect(c.HOST).to.equal('127.0.0.1');
    expect(c.DATA_DIR).to.equal('./data');
    expect(c.MONGODB_URI).to.equal(undefined);
    expect(c.LOG_LEVEL).to.equal('info');
    expect(c.publicUrl).to.equal('http://127.0.0.1:8080');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ MONGODB_URI: '', PORT: '' }).PORT).to.equal(8080);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'loud', MONGODB_URI: 'http://x', REDIS_URL: 'nope' });
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const key of ['PORT', 'LOG_LEVEL', 'MONGODB_URI', 'REDIS_URL'])
        expect(problems).to.contain(key);
    }
  });

  it('strips a trailing slash from PUBLIC_URL', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://hub.example.vn/' }).publicUrl).to.equal(
      'https://hub.example.vn',
    );
  });
});
