import { describe, expect, it } from 'vitest';
import { describeType, permissionsOf, renderApiReference, type OpenApiLike } from './api-reference.ts';

const doc: OpenApiLike = {
  openapi: '3.0.3',
  info: { title: 'Demo API', version: '2.1.0', description: 'What the API is for.' },
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  paths: {
    '/api/widgets/{id}': {
      get: {
        summary: 'Get a widget',
        tags: ['Widgets'],
        description: 'Requires one of: Widget.Read.All, Widget.ReadWrite.All',
        security: [{ bearer: [] }],
        parameters: [
          { name: 'id', in: 'path', required: true, description: 'Widget id', schema: { type: 'string', pattern: '^[0-9a-f]{40}$' } },
          { name: '$top', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 10000, default: 100 } },
        ],
        responses: { 200: { description: 'The widget', content: { 'application/json': { schema: { $ref: '#/components/schemas/Widget' } } } } },
      },
      patch: {
        summary: 'Change a widget',
        tags: ['Widgets'],
        description: 'Requires one of: Widget.ReadWrite.All',
        security: [{ bearer: [] }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['name'],
                properties: {
                  name: { type: 'string', minLength: 1, maxLength: 64, description: 'Shown | in lists' },
                  mode: { enum: ['On', 'Off'], type: 'string' },
                  owner: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] },
                  parts: { type: 'array', maxItems: 5, items: { type: 'object', properties: { sku: { type: 'string' } } } },
                  note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                },
              },
            },
          },
        },
        responses: { 200: { description: 'Default Response' } },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'Default Response' } } } },
    '/api/gadgets': { post: { summary: 'Make a gadget', tags: ['Gadgets'], description: 'Free text', security: [{ bearer: [] }] } },
  },
};

describe('API reference markdown', () => {
  const md = renderApiReference(doc, 'generated — do not edit');

  it('starts with the marker and the document header', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('<!-- generated — do not edit -->');
    expect(lines[1]).toBe('# Demo API reference');
    expect(md).toContain('What the API is for.');
    expect(md).toContain('Version 2.1.0.');
    expect(md).toContain('[openapi.json](openapi.json) (OpenAPI 3.0.3)');
    expect(md).toContain('`Authorization: Bearer <token>` (a JWT)');
    expect(md.endsWith('\n')).toBe(true);
    expect(md).not.toMatch(/\n\n\n/);
  });

  it('groups operations by tag in document order, untagged ones last under Other', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## Widgets', '## Other', '## Gadgets']);
    expect(md).toContain('| GET | `/api/widgets/{id}` | Get a widget |');
    expect(md).toContain('| PATCH | `/api/widgets/{id}` | Change a widget |');
  });

  it('shows method, path, permissions and parameters of an operation', () => {
    const get = md.slice(md.indexOf('### Get a widget'), md.indexOf('### Change a widget'));
    expect(get).toContain('`GET /api/widgets/{id}`');
    expect(get).toContain('**Permissions** (any one): `Widget.Read.All`, `Widget.ReadWrite.All`');
    expect(get).toContain('| `id` | path | string, pattern `^[0-9a-f]{40}$` | yes | Widget id |');
    expect(get).toContain('| `$top` | query | integer, ≥ 0, ≤ 10000 | no | Default `100`. |');
    expect(get).toContain('- `200`: The widget');
    expect(get).toContain('Type: Widget.');
  });

  it('flattens body fields, escapes table cells and says when other fields are rejected', () => {
    const patch = md.slice(md.indexOf('### Change a widget'), md.indexOf('## Other'));
    expect(patch).toContain('**Request body** (`application/json`, required)');
    expect(patch).toContain('| `name` | string, min length 1, max length 64 | yes | Shown \\| in lists |');
    expect(patch).toContain('| `mode` | `On` or `Off` | no |  |');
    expect(patch).toContain('| `owner.email` | string (email) | yes |  |');
    expect(patch).toContain('| `parts` | array of object, at most 5 items | no |  |');
    expect(patch).toContain('| `parts[].sku` | string | no |  |');
    expect(patch).toContain('| `note` | string or null | no |  |');
    expect(patch).toContain('Other fields are rejected.');
    // Fastify's placeholder response is not worth a section.
    expect(patch).not.toContain('**Responses**');
  });

  it('prints a free-text description as is and marks operations without authentication', () => {
    expect(md).toContain('Free text');
    const health = md.slice(md.indexOf('### Liveness'), md.indexOf('## Gadgets'));
    expect(health).toContain('**Authentication:** none.');
  });

  it('reads permissions only from a "Requires one of:" description', () => {
    expect(permissionsOf({ description: 'Requires one of: A.Read, B.Write' })).toEqual(['A.Read', 'B.Write']);
    expect(permissionsOf({ description: 'Something else' })).toBeNull();
    expect(permissionsOf({})).toBeNull();
  });

  it('describes types, constants and alternatives', () => {
    expect(describeType(undefined)).toBe('any');
    expect(describeType({ const: 'x' })).toBe('`"x"`');
    expect(describeType({ type: ['string', 'null'] })).toBe('string or null');
    expect(describeType({ type: 'array', items: { enum: [1, 2] } })).toBe('array of `1` or `2`');
    expect(describeType({ type: 'string', nullable: true })).toBe('string or null');
    expect(describeType({ allOf: [{ $ref: '#/components/schemas/A' }, { $ref: '#/components/schemas/B' }] })).toBe('A and B');
  });
});
