// A probe thread's results on their way to the monitor's thread. Most results are a status and a
// latency with nothing to say, and those travel as numbers in one transferred buffer; the others
// (a message, figures, an idle contact) travel as objects beside them. Structured cloning every
// record as an object cost both threads about 2 % of the process's CPU at 10,000 checks/s (perf,
// README "Both cores"): the serializer on the probe threads and the deserializer on the monitor's.
import type { CheckOutcome, ObservationRecord } from '../../../core/monitor/check-definition.js';

/** Per result, in order: check id, start time, due time, status (an index in STATUSES, or -1: the next of `outcomes`), latency (NaN: none). */
const FIELDS = 5;
const STATUSES = ['up', 'degraded', 'down'] as const;
const CODE: Record<string, number> = { up: 0, degraded: 1, down: 2 };
const IN_OUTCOMES = -1;

export interface ResultBatch {
  numbers: Float64Array<ArrayBuffer>;
  /** The outcomes that are more than a status and a latency, in batch order. */
  outcomes: CheckOutcome[];
}

export function packResults(records: readonly ObservationRecord[], dueAt: readonly number[]): ResultBatch {
  const numbers = new Float64Array(records.length * FIELDS);
  const outcomes: CheckOutcome[] = [];
  for (let i = 0, at = 0; i < records.length; i++, at += FIELDS) {
    const { checkId, observation } = records[i]!;
    numbers[at] = checkId;
    numbers[at + 1] = records[i]!.at;
    numbers[at + 2] = dueAt[i]!;
    const code = CODE[observation.status];
    if (code !== undefined && isPlain(observation)) {
      numbers[at + 3] = code;
      numbers[at + 4] = observation.latencyMs ?? NaN;
    } else {
      numbers[at + 3] = IN_OUTCOMES;
      outcomes.push(observation);
    }
  }
  return { numbers, outcomes };
}

function isPlain(observation: CheckOutcome): boolean {
  if (!('message' in observation) || observation.message !== null) return false;
  for (const key in observation) if (key !== 'status' && key !== 'latencyMs' && key !== 'message') return false;
  return true;
}

/** Each result's check id and due time (to tell, after a crash, which runs are still owed). */
export function forEachDue(batch: ResultBatch, visit: (checkId: number, dueAt: number) => void): void {
  const { numbers } = batch;
  for (let at = 0; at < numbers.length; at += FIELDS) visit(numbers[at]!, numbers[at + 2]!);
}

export function unpackResults(batch: ResultBatch): ObservationRecord[] {
  const { numbers, outcomes } = batch;
  const records: ObservationRecord[] = [];
  let next = 0;
  for (let at = 0; at < numbers.length; at += FIELDS) {
    const code = numbers[at + 3]!;
    const latency = numbers[at + 4]!;
    const observation = code === IN_OUTCOMES ? outcomes[next++]! : { status: STATUSES[code]!, latencyMs: Number.isNaN(latency) ? null : latency, message: null };
    records.push({ checkId: numbers[at]!, at: numbers[at + 1]!, observation });
  }
  return records;
}
