import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { backoffMs, FAILURE_WINDOW_MS, FailureBudget, type Availability } from './availability.js';

const PROBE_MS = 500;
const PING_MS = 3_000;

/**
 * Watches the driver's view of the server: when it knows no data-bearing server any more the database is
 * marked unavailable, and a probe pings it until it answers again. With MONGODB_URI the driver
 * reconnects on its own; each failed probe then counts as a failed reconnection, and the same
 * fail-fast budget as the local engine's restarts applies (`availability.fatal`).
 */
export function watchAvailability(opts: {
  conn: Connection;
  availability: Availability;
  log: Logger;
  onUp: () => void;
  countFailures: boolean;
}): { stop(): void } {
  const { conn, availability, log } = opts;
  const stopping = new AbortController();
  const budget = new FailureBudget();
  let probing = false;

  async function ping(): Promise<boolean> {
    try {
      // bounded: an operation sent in the instant its connection dies can wait for ever in the
      // driver (seen with the engine SIGKILLed under the hub); the next probe then tries afresh
      await Promise.race([
        conn.db!.admin().ping(),
        sleep(PING_MS, undefined, { signal: stopping.signal }).then(() => {
          throw new Error(`no answer within ${PING_MS} ms`);
        }),
      ]);

      return true;
    } catch (err) {
      log.debug({ err }, 'MongoDB ping failed');

      return false;
    }
  }

  async function probe(): Promise<void> {
    if (probing) return;
    probing = true;
    let attempt = 0;
    try {
      // not in the very tick the death was seen: the driver has yet to see its sockets close
      await sleep(PROBE_MS, undefined, { signal: stopping.signal });
      while (!stopping.signal.aborted && !availability.available) {
        log.debug('pinging MongoDB');
        if (await ping()) {
          log.info('MongoDB answers again');
          availability.up();
          opts.onUp();
          break;
        }
        if (opts.countFailures) {
          log.warn({ attempt: ++attempt }, 'MongoDB still unreachable');
          if (budget.fail()) {
            const message = `Không kết nối lại được MongoDB: ${budget.count} lần thất bại trong ${FAILURE_WINDOW_MS / 1000} giây; hãy kiểm tra máy chủ MONGODB_URI.`;
            log.fatal(message);
            availability.fatal(message);
            break;
          }
        }
        const delay = opts.countFailures ? backoffMs(attempt) : PROBE_MS;
        await sleep(delay, undefined, { signal: stopping.signal });
      }
    } catch {
      // aborted: the hub is stopping
    } finally {
      probing = false;
    }
  }

  const client = conn.getClient();
  const onTopology = (e: { newDescription: { hasDataBearingServers: boolean } }) => {
    if (e.newDescription.hasDataBearingServers || stopping.signal.aborted) return;
    if (availability.available) {
      log.error('MongoDB does not answer; requests get 503 until it is back');
      availability.down('unreachable', 'Không kết nối được MongoDB');
    }
  };
  client.on('topologyDescriptionChanged', onTopology);
  availability.on('down', () => void probe());

  return {
    stop: () => {
      stopping.abort();
      client.off('topologyDescriptionChanged', onTopology);
    },
  };
}
