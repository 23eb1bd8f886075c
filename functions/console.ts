/**
 * The operator console: GET /console (the page), GET /console/assets/{file} (its script and
 * stylesheet, bundled with the functions: nothing comes from the internet) and GET / (a
 * redirect to it). The page reads the JSON API with the admin key the operator types (kept in
 * sessionStorage, sent as x-api-key). A strict Content-Security-Policy: scripts and styles
 * from this origin only, no inline script, no frames. On Lambda one function serves the
 * three routes (`handler` dispatches by path).
 */
import { consoleAssets, byRoute, routeHandler, notFound } from './runtime/layer.ts';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

// Relative asset paths: the page works under a path prefix (an API Gateway stage) too.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>credit-score console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="console/assets/app.css">
<script type="module" src="console/assets/app.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading the console...</p></div>
<noscript>The console needs JavaScript; the JSON API is documented at openapi.json.</noscript>
</body>
</html>
`;

export const page = routeHandler('GET /console', async () => ({
  statusCode: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...SECURITY_HEADERS },
  body: PAGE,
}));

export const asset = routeHandler('GET /console/assets/{file}', async (event) => {
  const file = event.pathParameters?.file ?? '';
  const found = (await consoleAssets()).get(file);
  if (!found) throw notFound(`no console asset ${file}`);
  return {
    statusCode: 200,
    headers: { 'content-type': found.contentType, 'cache-control': 'no-cache', ...SECURITY_HEADERS },
    body: found.body,
  };
});

export const root = routeHandler('GET /', async () => ({
  statusCode: 302,
  headers: { location: 'console', 'content-type': 'text/plain' },
  body: 'see /console',
}));

export const handler = byRoute(root, page, asset);
