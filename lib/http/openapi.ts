/**
 * The OpenAPI 3.1 document of the HTTP API (GET /openapi.json), generated from the zod schemas
 * the handlers validate with (zod writes JSON Schema 2020-12, the dialect OpenAPI 3.1 uses) and
 * from the route table (lib/http/route-table.ts), where each route is declared once.
 */
import { NAME_PATTERN } from '../state/layout.ts';
import { MODEL_QUERY_ROUTES } from './model-query-routes.ts';
import { z } from 'zod';
import { adminByDefault, declaredRoutes, ROUTE_TABLE, type RouteDeclaration } from './route-table.ts';

const apiErrorSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. invalid_request'),
    message: z.string(),
    details: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Per field, what is wrong'),
  }),
  requestId: z.string(),
});

const openInferenceErrorSchema = z.object({ error: z.string() });

/**
 * JSON Schema of a request body (what a client sends: before any transform) or a response
 * (after). A recursive schema (tensor data) comes with local $defs, which mean nothing once
 * embedded in the document: they move to components.schemas (in `shared`), under a name the
 * first schema to define them gives them, and the references follow.
 */
function jsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  shared: Record<string, unknown> = {},
): Record<string, unknown> {
  const {
    $schema: _dialect,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  if (!$defs) return rest;
  const renamed = new Map<string, string>();
  for (const [name, def] of Object.entries($defs as Record<string, unknown>)) {
    const text = JSON.stringify(def);
    // The same definition (same text) is stored once.
    const existing = Object.entries(shared).find(([, d]) => JSON.stringify(d) === text)?.[0];
    const target = existing ?? `Schema${Object.keys(shared).length + 1}`;
    if (!existing) shared[target] = def;
    renamed.set(`#/$defs/${name}`, `#/components/schemas/${target}`);
  }
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          k === '$ref' && typeof v === 'string' ? (renamed.get(v) ?? v) : rewrite(v),
        ]),
      );
    return value;
  };
  for (const [name, def] of Object.entries(shared)) shared[name] = rewrite(def);
  return rewrite(rest) as Record<string, unknown>;
}

function parameters(method: string, path: string, doc: RouteDeclaration, shared: Record<string, unknown>): unknown[] {
  const fromPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: doc.pathParameters?.[name] ?? name,
    schema: { type: 'string' },
  }));
  const query = doc.query
    ? (jsonSchema(doc.query, 'input', shared) as {
        properties?: Record<string, { description?: string }>;
        required?: string[];
      })
    : null;
  const fromQuery = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query?.required?.includes(name) ?? false,
    ...(schema.description ? { description: schema.description } : {}),
    schema,
  }));
  const model = MODEL_QUERY_ROUTES.has(`${method} ${path}`)
    ? [
        {
          name: 'model',
          in: 'query',
          required: false,
          description: 'A registered model (GET /models lists them); the default model (MODEL_NAME) without it',
          schema: { type: 'string', pattern: NAME_PATTERN.source },
        },
      ]
    : [];
  return [...fromPath, ...fromQuery, ...model];
}

function operation(
  method: string,
  path: string,
  doc: RouteDeclaration,
  shared: Record<string, unknown>,
): Record<string, unknown> {
  const errorSchema = jsonSchema(
    doc.errors === 'open-inference' ? openInferenceErrorSchema : apiErrorSchema,
    'output',
    shared,
  );
  const status = String(doc.status ?? 200);
  const responses: Record<string, unknown> = {
    [status]: {
      description: doc.responseDescription ?? 'Success',
      content:
        doc.contentType && doc.contentType !== 'application/json'
          ? { [doc.contentType]: { schema: { type: 'string' } } }
          : {
              'application/json': {
                schema: doc.response ? jsonSchema(doc.response, 'output', shared) : { type: 'object' },
              },
            },
    },
    default: {
      description: 'An error: 4xx for a bad request (naming the field), 503 while the store or model is unavailable',
      content: { 'application/json': { schema: errorSchema } },
    },
  };
  const admin = adminByDefault(doc);
  if (admin) {
    responses['401'] = {
      description: 'No valid admin API key or OIDC bearer token',
      content: { 'application/json': { schema: errorSchema } },
    };
    responses['403'] = {
      description: `The caller's role is below ${doc.role} (docs/identities.md)`,
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  const params = parameters(method, path, doc, shared);
  return {
    operationId: `${method.toLowerCase()}${path
      .replace(/\{(\w+)\}/g, 'By-$1')
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((p) => p[0].toUpperCase() + p.slice(1))
      .join('')}`,
    summary: doc.summary,
    ...(doc.description || doc.adminSetting
      ? {
          description: [doc.description, doc.adminSetting && `Admin key: ${doc.adminSetting}.`]
            .filter(Boolean)
            .join(' '),
        }
      : {}),
    ...(doc.tag ? { tags: [doc.tag] } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(doc.body, 'input', shared) } },
          },
        }
      : {}),
    responses,
    ...(admin ? { security: [{ apiKey: [] }, { bearer: [] }] } : {}),
  };
}

/** The whole document: every route of the table (a copy with more routes in a test). */
export function openApiDocument(
  table: Readonly<Record<string, RouteDeclaration>> = ROUTE_TABLE,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const shared: Record<string, unknown> = {};
  for (const { method, path, declaration } of declaredRoutes(table)) {
    (paths[path] ??= {})[method.toLowerCase()] = operation(method, path, declaration, shared);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'mlops-credit-score',
      version: '1',
      description:
        'Credit-score classification (Good / Standard / Poor) with its MLOps loop: prediction with reason codes, the Open Inference Protocol, the model registry, releases, drift and retraining.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: shared,
      securitySchemes: {
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'An admin API key (ADMIN_API_KEYS: name:role:key, or a legacy plain key)',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The same admin API key as a bearer token, or an OIDC token (a JWT) when OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL are set',
        },
      },
    },
  };
}
