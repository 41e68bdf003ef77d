// A probe thread's results on their way to the monitor's thread. Most results are a status and a
// latency with nothing to say, and those travel as numbers in one transferred buffer; the others
// (a message, figures, an idle contact) travel as objects beside them. Structured cloning every
// record as an object cost both threads about 2 % of the process's CPU at 10,000 checks/s (perf,
// README "Both cores"): the serializer on the probe threads and the deserializer on the monitor's.
import type { Observation } from '../../../../checks/types.js';
import type { CheckOutcome, ObservationRecord } from '../../../core/monitor/check-definition.js';
import { STATUS_CODE, STATUS_FROM_CODE } from '../../../core/monitor/check-state.js';

/** Per result, in order: check id, start time, due time, status (STATUS_CODE, or -1: the next of `outcomes`), latency (NaN: none). */
const FIELDS = 5;
const IN_OUTCOMES = -1;

export interface ResultBatch {
  numbers: Float64Array<ArrayBuffer>;
  /** The outcomes that are more than a status and a latency, in batch order. */
  outcomes: CheckOutcome[];
}

export function packResults(records: readonly ObservationRecord[], dueAt: readonly number[]): ResultBatch {
  const numbers = new Float64Array(records.length * FIELDS);
  const outcomes: CheckOutcome[] = [];
  for (let i = 0, o = 0; i < records.length; i++, o += FIELDS) {
    const { checkId, at, observation } = records[i]!;
    numbers[o] = checkId;
    numbers[o + 1] = at;
    numbers[o + 2] = dueAt[i]!;
    if (isPlain(observation)) {
      numbers[o + 3] = STATUS_CODE[observation.status];
      numbers[o + 4] = observation.latencyMs ?? NaN;
    } else {
      numbers[o + 3] = IN_OUTCOMES;
      outcomes.push(observation);
    }
  }
  return { numbers, outcomes };
}

/** A status and a latency, nothing more (an idle contact has no message, so it is never plain). */
function isPlain(observation: CheckOutcome): observation is Observation {
  if (!('message' in observation) || observation.message !== null) return false;
  for (const key in observation) if (key !== 'status' && key !== 'latencyMs' && key !== 'message') return false;
  return true;
}

/** Each result's check id and due time (to tell, after a crash, which runs are still owed). */
export function forEachDue(batch: ResultBatch, visit: (checkId: number, dueAt: number) => void): void {
  const { numbers } = batch;
  for (let o = 0; o < numbers.length; o += FIELDS) visit(numbers[o]!, numbers[o + 2]!);
}

export function unpackResults(batch: ResultBatch): ObservationRecord[] {
  const { numbers, outcomes } = batch;
  const records: ObservationRecord[] = [];
  let next = 0;
  for (let o = 0; o < numbers.length; o += FIELDS) {
    const code = numbers[o + 3]!;
    const latency = numbers[o + 4]!;
    const observation = code === IN_OUTCOMES ? outcomes[next++]! : { status: STATUS_FROM_CODE[code]!, latencyMs: Number.isNaN(latency) ? null : latency, message: null };
    records.push({ checkId: numbers[o]!, at: numbers[o + 1]!, observation });
  }
  return records;
}
