import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import type { Principal } from '../../http/principal.js';
import { AuditLog, type AuditActor, type AuditDoc } from './audit.model.js';
import { GENESIS_HASH, entryHash } from './chain.js';

export type AuditInput = {
  actor: AuditActor;
  action: string;
  orgIds: string[];
  target: { type: string; id: string };
  details?: Record<string, unknown>;
};

type Pending = { input: AuditInput; done: (err?: unknown) => void };

export function actorOf(p: Principal): AuditActor {
  return { id: p.id, name: p.name, orgId: p.orgId, kind: p.kind };
}

/**
 * Appends are serialized per process and written in batches: everything queued while one batch
 * is being written goes into the next, chained in order. Another hub node appending at the same
 * time makes the seq unique index refuse our batch; we then re-read the head and chain again.
 */
export class AuditWriter {
  private queue: Pending[] = [];
  private running = false;

  constructor(private readonly ctx: HubContext) {}

  append(input: AuditInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      try {
        await this.writeBatch(batch.map((b) => b.input));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    this.running = false;
  }

  /** The chain's last entry as this writer left it; re-read when another writer got there first. */
  private head: { seq: number; hash: string } | null = null;

  private async readHead(): Promise<{ seq: number; hash: string }> {
    const head = await AuditLog(this.ctx.db.conn)
      .findOne({}, { seq: 1, hash: 1 })
      .sort({ seq: -1 })
      .lean();

    return { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH };
  }

  private async writeBatch(inputs: AuditInput[], attempt = 0): Promise<void> {
    let prev = this.head ?? (await this.readHead());
    const at = new Date();
    const docs: AuditDoc[] = inputs.map((i) => {
      const fields = { seq: prev.seq + 1, at, ...i, details: i.details ?? {}, prevHash: prev.hash };
      const doc = { _id: new Types.ObjectId(), ...fields, hash: entryHash(fields) };
      prev = { seq: doc.seq, hash: doc.hash };

      return doc;
    });
    try {
      this.head = null;
      await AuditLog(this.ctx.db.conn).collection.insertMany(docs, { ordered: true });
      this.head = prev;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000 || attempt > 20) throw err;
      // Entries before the conflicting one may have been written: drop them from the retry.
      const written = await AuditLog(this.ctx.db.conn).countDocuments({
        _id: { $in: docs.map((d) => d._id) },
      });
      await this.writeBatch(inputs.slice(written), attempt + 1);
    }
  }
}

export function appendAudit(ctx: HubContext, input: AuditInput): Promise<void> {
  return ctx.services.audit.writer.append(input);
}
