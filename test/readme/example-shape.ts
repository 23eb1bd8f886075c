/**
 * The shape of an example answer as the README writes it: JSON where `...` stands for "more of
 * the same" (an object member or an array element) or for any value (`{...}`, `"best": ...`).
 * An answer fits it when it has the same keys (no more, unless the object says `...`),
 * recursively, and values of the same kinds; values themselves vary (versions, numbers).
 */
export type Shape =
  | { kind: 'object'; keys: Map<string, Shape>; open: boolean }
  | { kind: 'array'; items: Shape[] }
  | { kind: 'string' | 'number' | 'boolean' | 'null' | 'any' };

export function parseShape(text: string): Shape {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`example answer, character ${at}: ${what} in ${text.slice(0, 120)}`);
  };
  const space = (): void => {
    while (/\s/.test(text[at] ?? '')) at++;
  };
  const ellipsis = (): boolean => {
    space();
    if (!text.startsWith('...', at)) return false;
    at += 3;
    return true;
  };
  const string = (): string => {
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (): Shape => {
    space();
    const ch = text[at];
    if (ellipsis()) return { kind: 'any' };
    if (ch === '{') {
      at++;
      const keys = new Map<string, Shape>();
      let open = false;
      for (;;) {
        space();
        if (text[at] === '}') break;
        if (ellipsis()) open = true;
        else {
          if (text[at] !== '"') fail('expected a key');
          const key = string();
          space();
          if (text[at++] !== ':') fail('expected ":"');
          keys.set(key, value());
        }
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== '}') fail('expected "," or "}"');
      }
      at++;
      return { kind: 'object', keys, open };
    }
    if (ch === '[') {
      at++;
      const items: Shape[] = [];
      for (;;) {
        space();
        if (text[at] === ']') break;
        if (!ellipsis()) items.push(value());
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== ']') fail('expected "," or "]"');
      }
      at++;
      return { kind: 'array', items };
    }
    if (ch === '"') {
      string();
      return { kind: 'string' };
    }
    const literal = /^(true|false|null|-?\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(text.slice(at));
    if (!literal) return fail('expected a value');
    at += literal[0].length;
    return {
      kind: literal[1] === 'null' ? 'null' : literal[1] === 'true' || literal[1] === 'false' ? 'boolean' : 'number',
    };
  };
  const shape = value();
  space();
  if (at < text.length) fail('text after the answer');
  return shape;
}

/** Where `actual` departs from `shape`, one line each (empty when it fits). */
export function shapeProblems(shape: Shape, actual: unknown, path = '(answer)'): string[] {
  switch (shape.kind) {
    case 'any':
    case 'null': // an example's null stands for "may be unset": it says nothing of the kind
      return [];
    case 'string':
    case 'number':
    case 'boolean':
      return typeof actual === shape.kind || actual === null
        ? []
        : [`${path}: expected a ${shape.kind}, got ${JSON.stringify(actual)?.slice(0, 40)}`];
    case 'array': {
      if (!Array.isArray(actual)) return [`${path}: expected an array`];
      if (shape.items.length === 0) return [];
      // Element i fits the example's element i; elements past the example's fit its last.
      return actual.flatMap((item, i) =>
        shapeProblems(shape.items[Math.min(i, shape.items.length - 1)], item, `${path}[${i}]`),
      );
    }
    case 'object': {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
        return [`${path}: expected an object`];
      const record = actual as Record<string, unknown>;
      const problems: string[] = [];
      for (const [key, inner] of shape.keys) {
        if (!(key in record)) problems.push(`${path}.${key}: missing`);
        else problems.push(...shapeProblems(inner, record[key], `${path}.${key}`));
      }
      if (!shape.open)
        for (const key of Object.keys(record))
          if (!shape.keys.has(key)) problems.push(`${path}.${key}: not in the example`);
      return problems;
    }
  }
}
