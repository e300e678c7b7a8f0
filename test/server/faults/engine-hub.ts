import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import type { EventEnvelope } from '../../../server/src/contracts/events.js';
import { EventCursor } from '../../../server/src/contracts/event-cursor.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { REPO, waitFor } from '../../support/process.js';
import { uriWithDb } from '../scale/hub-process.js';

export function secretsEnv(): Record<string, string> {
  return {
    JWT_SECRET: randomBytes(32).toString('hex'),
    LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);

    return true;
  } catch {
    return false;
  }
}

/**
 * `lienthong serve` as a real process on its own local engine (no MONGODB_URI), the way
 * `npm start` runs: the engine sidecar is its child, which the tests kill. `wrap` runs it through
 * another command (unshare, for a DATA_DIR on a small filesystem); `root` is the path under which
 * the hub's view of the filesystem is seen from here (/proc/PID/root when its mounts differ).
 */
export class EngineHub {
  child: ChildProcess | undefined;
  out = '';
  err = '';
  exited: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly env: Record<string, string>,
    private readonly wrap: string[] = [],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where DATA_DIR is seen from this process. */
  path(rel: string): string {
    const inNs = this.wrap.length > 0 && this.child?.pid;

    return `${inNs ? `/proc/${this.child!.pid}/root` : ''}${this.dataDir}/${rel}`;
  }

  async start(): Promise<void> {
    const cmd = [...this.wrap, process.execPath, 'bin/lienthong.mjs', 'serve'];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'info',
      ...this.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
    };
    delete env.MONGODB_URI; // its own local engine
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.out = '';
    this.err = '';
    child.stdout!.on('data', (d) => (this.out += String(d)));
    child.stderr!.on('data', (d) => (this.err += String(d)));
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error('exited');
      return (await fetch(`${this.url}/readyz`)).ok ? true : undefined;
    }, 90_000).catch(() => {
      throw new Error(`the hub did not become ready:\n${this.err}\n${this.out.slice(-3000)}`);
    });
  }

  runtime(): { uri: string; enginePid: number; ownerPid: number } {
    return JSON.parse(readFileSync(this.path('.runtime/engine.json'), 'utf8')) as {
      uri: string;
      enginePid: number;
      ownerPid: number;
    };
  }

  /** SIGKILL to the engine's sidecar, as the OOM killer would; returns its pid. */
  killEngine(): number {
    const pid = this.runtime().enginePid;
    process.kill(pid, 'SIGKILL');

    return pid;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGINT');
    const done = await Promise.race([
      this.exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!done) c.kill('SIGKILL');
  }

  /** The hub's log line for an answer's errorId (a 500): what failed, for the failure message. */
  unhandled(answer: string): string {
    const id = /"errorId":"([\w-]+)"/.exec(answer)?.[1];
    const line = id && this.out.split('\n').find((l) => l.includes(id));

    return line ? `\n  hub log: ${line.slice(0, 2000)}` : '';
  }

  /** The hub's log lines with this message (pino JSON on stdout). */
  logged(msg: string): number {
    return this.out.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).length;
  }
}

/**
 * An in-process hub on the same database as the EngineHub, through the engine's stable socket
 * path: factories and checks run here (its own connection rides through the restarts too).
 */
export async function observerOf(hub: EngineHub, secrets: Record<string, string>): Promise<Hub> {
  // journaled like the hub's own writes: what the tests prepare must survive the kills too
  const uri = `${uriWithDb(hub.runtime().uri, 'test')}&w=1&journal=true`;

  return startTestHub({ ...secrets, MONGODB_URI: uri }, 'test');
}

/** Starts `hub`, then its observer and, through it, a clerk of the province `orgName`. */
export async function startWithClerk(
  hub: EngineHub,
  secrets: Record<string, string>,
  orgName: string,
): Promise<{ observer: Hub; org: TOrg; clerk: TestUser }> {
  await hub.start();
  const observer = await observerOf(hub, secrets);
  const org = await makeOrg(observer.ctx, { name: orgName, level: 'province' });
  const clerk = await makeUser(observer, org, ['clerk']);

  return { observer, org, clerk };
}

/**
 * One client's view of the event stream: Socket.IO's own reconnection, its handshake following
 * the replay protocol the web client follows (EventCursor: the last seq it saw, or `replayFrom`
 * after `hub:resync`), so every reconnection replays what it missed. Counts what came twice and
 * the hub's notices.
 */
export class EventClient {
  bySeq = new Map<number, EventEnvelope<unknown>>();
  duplicates = 0;
  notices: Record<string, number> = {};
  connects = 0;
  readonly socket: Socket;
  private readonly firstReplay: Promise<void>;
  private stored: number | undefined;
  private readonly cursor = new EventCursor({
    get: () => this.stored,
    set: (seq) => void (this.stored = seq),
  });

  constructor(
    readonly orgId: string,
    url: string,
    token: string,
  ) {
    this.socket = io(url, {
      transports: ['websocket'],
      auth: (cb) => cb({ token, lastSeq: this.cursor.handshakeSeq() ?? 0 }),
      reconnectionDelay: 100,
      reconnectionDelayMax: 1_000,
      forceNew: true,
    });
    this.socket.on('connect', () => this.connects++);
    this.firstReplay = new Promise((resolve) => this.socket.once('replay:done', () => resolve()));
    this.socket.on('replay:done', () => this.cursor.replayDone());
    this.socket.on('hub:resync', (info: { replayFrom: number }) =>
      this.cursor.resync(info.replayFrom),
    );
    this.socket.onAny((type: string, e: EventEnvelope<unknown>) => {
      if (type === 'replay:done') return;
      if (type.startsWith('hub:')) return void (this.notices[type] = (this.notices[type] ?? 0) + 1);
      if (!this.cursor.accept(e.seq)) this.duplicates++;
      else this.bySeq.set(e.seq, { ...e, type: type as EventEnvelope<unknown>['type'] });
    });
  }

  get lastSeq(): number {
    return this.cursor.lastSeq ?? 0;
  }

  /** The first connection's replay is done: live events follow. */
  ready(): Promise<void> {
    return this.firstReplay;
  }

  close(): void {
    this.socket.close();
  }
}
