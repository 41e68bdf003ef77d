import { FAULT_MODES, type FaultMode } from '../../../core/domain/enums.js';
import { FailoverAutomation } from './failover.js';
import type { DemoAsset, DemoFleetOptions } from './fleet.js';

/** Which fault each simulated asset is in, and the failover automations that react to it. */
export class FleetState {
  readonly assets = new Map<string, DemoAsset>();
  readonly automations = new Map<string, FailoverAutomation>();
  private readonly modes = new Map<string, FaultMode>();

  constructor(options: DemoFleetOptions) {
    for (const asset of options.assets) {
      if (this.assets.has(asset.key)) throw new Error(`demo fleet: duplicate asset key ${asset.key}`);
      this.assets.set(asset.key, asset);
      this.modes.set(asset.key, 'healthy');
    }
    for (const rule of options.failover ?? []) {
      this.requireAsset(rule.primaryAssetKey, `failover rule ${rule.functionKey}`);
      this.requireAsset(rule.alternateAssetKey, `failover rule ${rule.functionKey}`);
      this.automations.set(rule.functionKey, new FailoverAutomation(rule));
    }
    for (const push of options.push ?? []) this.requireAsset(push.assetKey, 'push heartbeat');
  }

  private requireAsset(key: string, where: string): void {
    if (!this.assets.has(key)) throw new Error(`demo fleet: ${where} names unknown asset ${key}`);
  }

  mode(assetKey: string): FaultMode | undefined {
    return this.modes.get(assetKey);
  }

  setFault(assetKey: string, mode: FaultMode): void {
    const previous = this.modes.get(assetKey);
    if (previous === undefined) throw new Error(`demo fleet: unknown asset ${assetKey}`);
    if (!FAULT_MODES.includes(mode)) throw new Error(`demo fleet: unknown fault mode ${String(mode)}`);
    this.modes.set(assetKey, mode);
    for (const automation of this.automations.values()) automation.onFaultChange(assetKey, previous, mode);
  }

  faults(): Record<string, FaultMode> {
    return Object.fromEntries(this.modes);
  }

  reset(): void {
    for (const assetKey of this.modes.keys()) this.setFault(assetKey, 'healthy');
  }

  stop(): void {
    for (const automation of this.automations.values()) automation.stop();
  }
}
