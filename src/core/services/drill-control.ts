import type { ServiceContext } from './context.js';
import type { RunView } from '../drills/run-view.js';

/**
 * What starts and stops runs: the drill runner of the process that runs the monitor. The API
 * (`POST /api/drills/{id}/runs`) and the planner's pages use the same one.
 */
export interface DrillControl {
  startRun(ctx: ServiceContext, drillId: number): Promise<RunView>;
  abortRun(ctx: ServiceContext, runId: number, reason: string): Promise<RunView>;
}
