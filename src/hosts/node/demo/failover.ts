import type { FaultMode } from '../../../core/domain/enums.js';

export interface FailoverRule {
  functionKey: string;
  primaryAssetKey: string;
  alternateAssetKey: string;
  delayMs: number;
}

/**
 * The demo fleet's failover automation for one mission function: which asset carries its
 * traffic, switched on real timers so a drill measures a real, non-zero time to fail over.
 */
export class FailoverAutomation {
  private active: string;
  private since: number;
  private pendingSwitch: NodeJS.Timeout | undefined;

  constructor(readonly rule: FailoverRule, private readonly now: () => number = Date.now) {
    this.active = rule.primaryAssetKey;
    this.since = now();
  }

  status(): { active: string; since: number } {
    return { active: this.active, since: this.since };
  }

  /** Call on every fault change; only the primary's transitions into and out of `down` matter. */
  onFaultChange(assetKey: string, previous: FaultMode, next: FaultMode): void {
    if (assetKey !== this.rule.primaryAssetKey) return;
    const wentDown = previous !== 'down' && next === 'down';
    const cameBack = previous === 'down' && next !== 'down';
    if (!wentDown && !cameBack) return;
    // A reversal before the pending switch fired cancels it: traffic never moved, or stays put.
    this.cancelPendingSwitch();
    if (wentDown && this.active === this.rule.primaryAssetKey) {
      // Traffic is lost until the switch completes.
      this.switchAfterDelay(this.rule.alternateAssetKey);
    } else if (cameBack && this.active === this.rule.alternateAssetKey) {
      // Switchback to the restored primary also waits delayMs, as a real planned failback
      // would; meanwhile the alternate keeps serving, so no traffic is lost.
      this.switchAfterDelay(this.rule.primaryAssetKey);
    }
  }

  stop(): void {
    this.cancelPendingSwitch();
  }

  private switchAfterDelay(target: string): void {
    this.pendingSwitch = setTimeout(() => {
      this.pendingSwitch = undefined;
      this.active = target;
      this.since = this.now();
    }, this.rule.delayMs);
  }

  private cancelPendingSwitch(): void {
    if (this.pendingSwitch) clearTimeout(this.pendingSwitch);
    this.pendingSwitch = undefined;
  }
}
