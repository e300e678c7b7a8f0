import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runCli, waitFor } from '../../support/process.js';

async function login(port: number, username: string, password: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

  return res.status;
}

describe('lienthong seed', function () {
  this.timeout(120_000);
  let dataDir: string;
  before(() => (dataDir = mkdtempSync(join(tmpdir(), 'lienthong-seed-'))));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('seeds the Thanh Hóa demo into a running hub’s engine, idempotently', async () => {
    const port = await freePort();
    const hub = runCli(['serve'], { DATA_DIR: dataDir, PORT: String(port) });
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
      30_000,
    );
    const first = runCli(['seed'], { DATA_DIR: dataDir });
    expect(await first.exited, first.output()).to.equal(0);
    const out = first.output();
    expect(out).to.contain('UBND tỉnh Thanh Hóa').and.to.contain('Công ty Quốc Đại Craft');
    const password = /Mật khẩu của các tài khoản mới: (\S+)/.exec(out)?.[1];
    expect(password).to.be.a('string');
    expect(await login(port, 'vanthu.ubndtinh', password!)).to.equal(200);
    expect(await login(port, 'thanhtra.tinh', password!)).to.equal(200);
    const again = runCli(['seed'], { DATA_DIR: dataDir });
    expect(await again.exited).to.equal(0);
    expect(again.output()).to.contain('Đã tạo 0 cơ quan, 0 người dùng, 0 chứng thư số');
    hub.child.kill('SIGTERM');
    expect(await hub.exited).to.equal(0);
  });
});
