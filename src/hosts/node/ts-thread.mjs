// A worker thread's entry: loads the TypeScript module named by workerData.entry (a file URL)
// through tsx, whatever started the process (node --import tsx, the test runner, the bench).
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
