import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The least favoured of the nice values: such a thread runs in what the others leave idle. */
const BACKGROUND_NICE = 19;

/**
 * Gives the calling thread the lowest CPU priority, so on a machine the monitor keeps busy it
 * takes CPU only when a core would otherwise be idle. On Linux the nice value belongs to each
 * thread, not the process (setpriority(2), "Notes"), and a thread's own id is in
 * /proc/thread-self. Elsewhere this does nothing and says so (false).
 */
export function runInBackground(): boolean {
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    os.setPriority(tid, BACKGROUND_NICE);
    return true;
  } catch {
    return false;
  }
}
