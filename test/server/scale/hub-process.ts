import { runCli, waitFor, type Cli } from '../../support/process.js';

/** `mongodb://host/?opts` → `mongodb://host/DBNAME?opts`: the hub takes its database from the URI. */
export function uriWithDb(uri: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a MongoDB URI: ${uri}`);

  return `${m[1]}/${dbName}${m[2] ?? ''}`;
}

/**
 * The hub as a real process (`lienthong serve`), the way production runs it, so that SIGKILL
 * stops it mid-write exactly like a crash or the OOM killer would.
 */
export class HubProcess {
  private cli: Cli | undefined;
  readonly url: string;

  constructor(
    private readonly env: Record<string, string>,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.env = { ...env, PORT: String(port), HOST: '127.0.0.1' };
  }

  async start(): Promise<void> {
    const cli = runCli(['serve'], this.env);
    this.cli = cli;
    let exited = false;
    void cli.exited.then(() => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`hub exited at start:\n${cli.output()}`);
      const res = await fetch(`${this.url}/healthz`);

      return res.ok ? true : undefined;
    }, 60_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${cli.output()}`);
    });
  }

  /** kill -9: no shutdown hook runs, open requests are cut, the engine keeps what it got. */
  async kill(): Promise<void> {
    const cli = this.cli;
    if (!cli || cli.child.exitCode !== null || cli.child.signalCode !== null) return;
    cli.child.kill('SIGKILL');
    await cli.exited;
  }

  get pid(): number | undefined {
    return this.cli?.child.pid;
  }

  output(): string {
    return this.cli?.output() ?? '';
  }
}
