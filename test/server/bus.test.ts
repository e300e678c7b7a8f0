import { expect } from 'chai';
import { Bus } from '../../server/src/bus.js';

describe('bus: one per hub, every subscriber awaited', () => {
  const event = { documentId: 'd', orgId: 'o', by: 'u' };

  it('answers only once every subscriber has finished', async () => {
    const bus = new Bus();
    const done: string[] = [];
    bus.on('document.created', async () => {
      await new Promise((r) => setTimeout(r, 20));
      done.push('slow');
    });
    bus.on('document.created', () => void done.push('fast'));
    await bus.publish('document.created', event);
    expect(done).to.have.members(['slow', 'fast']);
  });

  it("makes a subscriber's failure the publisher's, after the others ran", async () => {
    const bus = new Bus();
    let other = false;
    bus.on('document.created', () => {
      throw new Error('audit down');
    });
    bus.on('document.created', async () => {
      await new Promise((r) => setTimeout(r, 10));
      other = true;
    });
    const err = await bus.publish('document.created', event).catch((e: Error) => e);
    expect((err as Error).message).to.equal('audit down');
    expect(other).to.equal(true);
  });

  it('stops calling a subscriber that unsubscribed, and waits for running ones when settling', async () => {
    const bus = new Bus();
    let calls = 0;
    const off = bus.on('document.created', () => void calls++);
    await bus.publish('document.created', event);
    off();
    await bus.publish('document.created', event);
    expect(calls).to.equal(1);
    let finished = false;
    bus.on('document.created', async () => {
      await new Promise((r) => setTimeout(r, 30));
      finished = true;
    });
    void bus.publish('document.created', event);
    await bus.settled();
    expect(finished).to.equal(true);
  });
});
