import { createRequire } from 'node:module';
import { MongoNetworkError } from 'mongodb';

const require = createRequire(import.meta.url);

type Socket = {
  destroyed: boolean;
  once(e: 'close', f: () => void): void;
  off(e: 'close', f: () => void): void;
};
type DriverConnection = {
  id: number | string;
  address: string;
  socket: Socket;
  writeCommand(command: unknown, options: unknown): Promise<void>;
};

let installed = false;

/**
 * The driver (mongodb 6.20) writes a command after an `await` (its serialization); when the
 * server's socket is destroyed in between — the engine killed under the hub — `socket.write`
 * returns false and the driver waits for a 'drain' that never comes: the operation, and the
 * request or signing-queue slot behind it, hang for ever (seen in test/server/faults). This
 * wraps the write so that it fails with the driver's own MongoNetworkError once the socket is
 * closed, which the hub answers as 503 like any lost connection.
 */
export function guardDriverWrites(): void {
  if (installed) return;
  installed = true;
  const { Connection } = require('mongodb/lib/cmap/connection.js') as {
    Connection: { prototype: DriverConnection };
  };
  const original = Connection.prototype.writeCommand;
  Connection.prototype.writeCommand = function (this: DriverConnection, command, options) {
    const socket = this.socket;
    const closed = () => new MongoNetworkError(`connection ${this.id} to ${this.address} closed`);
    if (socket.destroyed) return Promise.reject(closed());
    const written = original.call(this, command, options);

    return new Promise<void>((resolve, reject) => {
      const onClose = () => reject(closed());
      socket.once('close', onClose);
      written.then(
        () => {
          socket.off('close', onClose);
          resolve();
        },
        (err: unknown) => {
          socket.off('close', onClose);
          reject(err as Error);
        },
      );
    });
  };
}
