import { expect } from 'chai';
import { EventCursor } from '../../../server/src/contracts/event-cursor.js';

function cursor(
  start?: number,
  remembered?: number,
): { c: EventCursor; stored: () => number | undefined } {
  let stored = start;
  const c = new EventCursor({ get: () => stored, set: (s) => void (stored = s) }, remembered);

  return { c, stored: () => stored };
}

describe('EventCursor: the replay protocol of the web client and the tests', () => {
  it('accepts a seq once, in any order, and stores the highest', () => {
    const { c, stored } = cursor();
    expect(c.handshakeSeq()).to.equal(undefined);
    expect([5, 7, 6, 7, 5].map((s) => c.accept(s))).to.deep.equal([true, true, true, false, false]);
    expect(stored()).to.equal(7);
    expect(c.handshakeSeq()).to.equal(7);
  });

  it('after hub:resync the next handshake replays from below what was seen, until the replay is done', () => {
    const { c } = cursor(40);
    c.accept(41);
    c.accept(42);
    c.resync(30);
    expect(c.handshakeSeq()).to.equal(30);
    // a second notice before reconnecting never raises it
    c.resync(35);
    expect(c.handshakeSeq()).to.equal(30);
    // the replay brings 31..42 again: only what was not seen is new
    const fresh = Array.from({ length: 12 }, (_, i) => 31 + i).filter((s) => c.accept(s));
    expect(fresh).to.deep.equal([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    c.replayDone();
    expect(c.handshakeSeq()).to.equal(42);
  });

  it('a replay that never finished is asked for again, though live events went past it', () => {
    const { c, stored } = cursor(17);
    expect(c.handshakeSeq()).to.equal(17);
    // the hub could not read its log for the replay: live events come, no replay:done
    for (const s of [30, 31]) c.accept(s);
    expect(stored()).to.equal(31);
    expect(c.handshakeSeq()).to.equal(17);
    c.replayDone();
    expect(c.handshakeSeq()).to.equal(31);
  });

  it('a resync before anything was stored replays from its own seq, not the whole history', () => {
    const { c } = cursor();
    c.resync(12);
    expect(c.handshakeSeq()).to.equal(12);
  });

  it('forgets the oldest seqs beyond its memory', () => {
    const { c } = cursor(undefined, 3);
    for (const s of [1, 2, 3, 4]) c.accept(s);
    expect(c.accept(4)).to.equal(false);
    expect(c.accept(1)).to.equal(true);
  });
});
