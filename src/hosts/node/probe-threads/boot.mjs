// A worker thread's entry: loads the TypeScript thread module through tsx, whatever started the
// process (node --import tsx, the test runner, the bench).
import { tsImport } from 'tsx/esm/api';

await tsImport('./probe-thread.ts', import.meta.url);
