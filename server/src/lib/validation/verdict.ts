/** Mutable per-signature result that the validation steps fill in, first failure wins. */
import type { TIndication, TMessage, TSubIndication } from './report.schemas.js';

export class Verdict {
  indication: TIndication = 'TOTAL_PASSED';
  subIndication: TSubIndication | null = null;
  readonly messages: TMessage[] = [];
  readonly warnings: TMessage[] = [];

  get failed(): boolean {
    return this.indication !== 'TOTAL_PASSED';
  }

  /** Records a failure; an earlier failure is kept as the verdict, later ones only add messages. */
  fail(indication: Exclude<TIndication, 'TOTAL_PASSED'>, sub: TSubIndication, msg: TMessage): this {
    if (!this.failed || (this.indication === 'INDETERMINATE' && indication === 'TOTAL_FAILED')) {
      this.indication = indication;
      this.subIndication = sub;
    }
    this.messages.push(msg);
    return this;
  }

  warn(msg: TMessage): void {
    this.warnings.push(msg);
  }
}
