// From TypeScript sources (tests, a checkout) a worker starts without the parent's loader:
// register tsx, then load the worker. Bundled code starts training-worker.mjs directly.
import { register } from 'tsx/esm/api';

register();
await import('./training-worker.ts');
