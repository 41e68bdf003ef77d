// A worker thread's entry: loads the TypeScript module named by workerData.entry (a file URL)
// through tsx, whatever started the process (node --import tsx, the test runner, the bench).
// A background thread lowers its priority before it loads its entry module, so that loading it
// (about 250 ms of the thread's own CPU for the rollup reader) already runs in what the other
// threads leave idle.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

if (workerData.background) (await tsImport('./thread-priority.ts', import.meta.url)).runInBackground();
await tsImport(workerData.entry, import.meta.url);
