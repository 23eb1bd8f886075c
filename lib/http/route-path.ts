/**
 * Whether a request path fits a route's path template ("/model/versions/{version}"), with the
 * template's {param} segments decoded: the node:http router's match and a multi-route function's
 * fallback when an event carries no route key.
 */
export type PathMatch = { params: Record<string, string> } | { malformed: string } | null;

export function matchPath(template: string, path: string): PathMatch {
  const parts = path.split('/').filter(Boolean);
  const pattern = template.split('/').filter(Boolean);
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i];
    if (segment.startsWith('{') && segment.endsWith('}')) {
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(parts[i]);
      } catch {
        return { malformed: `path parameter ${segment.slice(1, -1)} has a malformed %-escape` };
      }
    } else if (segment !== parts[i]) return null;
  }
  return { params };
}
