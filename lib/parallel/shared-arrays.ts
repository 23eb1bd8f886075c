/** Typed arrays in shared memory: posted to a worker, they are shared, not copied. */
type Typed = Float64Array | Int32Array | Uint8Array | Float32Array;

export function toShared<T extends Typed>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const shared = new Ctor(new SharedArrayBuffer(array.byteLength));
  (shared as Typed).set(array as never);
  return shared;
}
