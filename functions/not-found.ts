/** Every route that does not exist: the documented 404 error shape, not the host's own page. */
export { noRoute as handler } from './runtime/layer.ts';
