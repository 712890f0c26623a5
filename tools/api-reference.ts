/**
 * Renders an OpenAPI 3 document (as @fastify/swagger produces it) as a readable markdown API
 * reference: one section per tag, and for each operation its method and path, summary, required
 * permissions, parameters, request body fields and responses. Pure: document in, text out.
 */

/** The parts of a JSON Schema the reference shows. */
export interface SchemaLike {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  description?: string;
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  items?: SchemaLike;
  properties?: Record<string, SchemaLike>;
  required?: string[];
  additionalProperties?: boolean | SchemaLike;
  anyOf?: SchemaLike[];
  oneOf?: SchemaLike[];
  allOf?: SchemaLike[];
  $ref?: string;
}

/** One operation parameter. */
export interface ParameterLike {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: SchemaLike;
}

/** One operation. */
export interface OperationLike {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: ParameterLike[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, { schema?: SchemaLike }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: SchemaLike }> }>;
  security?: Record<string, string[]>[];
}

/** The parts of an OpenAPI document the reference reads. */
export interface OpenApiLike {
  openapi?: string;
  info: { title: string; version: string; description?: string; [k: string]: unknown };
  paths: Record<string, Record<string, OperationLike>>;
  components?: { securitySchemes?: Record<string, { type?: string; scheme?: string; bearerFormat?: string }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const UNTAGGED = 'Other';
const PERMISSIONS_PREFIX = 'Requires one of:';

/** Text safe inside a markdown table cell: pipes escaped, line breaks folded. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** The name a $ref points at (`#/components/schemas/Machine` → `Machine`). */
const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** A one-line description of a schema's type, with its constraints. */
export function describeType(s: SchemaLike | undefined): string {
  if (!s) return 'any';
  if (s.$ref) return refName(s.$ref);
  if (s.const !== undefined) return code(JSON.stringify(s.const));
  if (s.enum) return s.enum.map((v) => code(typeof v === 'string' ? v : JSON.stringify(v))).join(' or ');
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map(describeType).join(' or ');
  if (s.allOf) return s.allOf.map(describeType).join(' and ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  let base = types.length ? types.map((t) => (t === 'array' ? `array of ${describeType(s.items)}` : t)).join(' or ') : s.properties ? 'object' : 'any';
  if (s.format) base += ` (${s.format})`;
  const limits: string[] = [];
  if (s.minLength !== undefined) limits.push(`min length ${s.minLength}`);
  if (s.maxLength !== undefined) limits.push(`max length ${s.maxLength}`);
  if (s.minimum !== undefined) limits.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) limits.push(`≤ ${s.maximum}`);
  if (s.minItems !== undefined) limits.push(`at least ${s.minItems} items`);
  if (s.maxItems !== undefined) limits.push(`at most ${s.maxItems} items`);
  if (s.pattern !== undefined) limits.push(`pattern ${code(s.pattern)}`);
  if (limits.length) base += `, ${limits.join(', ')}`;
  if (s.nullable) base += ' or null';
  return base;
}

/** Description plus default value of a field. */
function notes(s: SchemaLike | undefined, extra?: string): string {
  const parts = [extra ?? s?.description ?? ''];
  if (s?.default !== undefined) parts.push(`Default ${code(JSON.stringify(s.default))}.`);
  return parts.filter(Boolean).join(' ');
}

/** One row per field of an object schema, nested objects and arrays of objects flattened (`a.b`, `a[].b`). */
function fieldRows(s: SchemaLike, prefix: string, out: string[]): void {
  const required = new Set(s.required ?? []);
  for (const [name, field] of Object.entries(s.properties ?? {})) {
    const path = prefix + name;
    out.push(`| ${code(path)} | ${cell(describeType(field))} | ${required.has(name) ? 'yes' : 'no'} | ${cell(notes(field))} |`);
    if (field.properties) fieldRows(field, `${path}.`, out);
    else if (field.items?.properties) fieldRows(field.items, `${path}[].`, out);
  }
}

/** The markdown of a body or response schema. */
function schemaBlock(s: SchemaLike | undefined): string[] {
  if (!s || (!s.properties && !s.items?.properties)) return [`Type: ${describeType(s)}.${s?.description ? ` ${s.description}` : ''}`];
  const lines: string[] = [];
  const root = s.properties ? s : s.items!;
  if (root !== s) lines.push(`An array; each item:`, '');
  if (s.description) lines.push(s.description, '');
  lines.push('| Field | Type | Required | Description |', '|---|---|---|---|');
  fieldRows(root, '', lines);
  if (root.additionalProperties === false) lines.push('', 'Other fields are rejected.');
  return lines;
}

/** The permissions named by an operation's description, or null when it names none. */
export function permissionsOf(op: OperationLike): string[] | null {
  const d = op.description?.trim() ?? '';
  if (!d.startsWith(PERMISSIONS_PREFIX)) return null;
  return d.slice(PERMISSIONS_PREFIX.length).split(',').map((p) => p.trim()).filter(Boolean);
}

/** The markdown of one operation. */
function operationBlock(method: string, path: string, op: OperationLike): string[] {
  const lines = [`### ${op.summary ?? `${method.toUpperCase()} ${path}`}`, '', `${code(`${method.toUpperCase()} ${path}`)}`, ''];
  const permissions = permissionsOf(op);
  if (permissions) lines.push(`**Permissions** (any one): ${permissions.map(code).join(', ')}`, '');
  else if (op.description) lines.push(op.description, '');
  if (!op.security?.length) lines.push('**Authentication:** none.', '');
  const params = op.parameters ?? [];
  if (params.length) {
    lines.push('**Parameters**', '', '| Name | In | Type | Required | Description |', '|---|---|---|---|---|');
    for (const p of params) {
      lines.push(`| ${code(p.name)} | ${p.in} | ${cell(describeType(p.schema))} | ${p.required ? 'yes' : 'no'} | ${cell(notes(p.schema, p.description ?? p.schema?.description))} |`);
    }
    lines.push('');
  }
  const body = op.requestBody;
  if (body) {
    for (const [type, media] of Object.entries(body.content ?? {})) {
      lines.push(`**Request body** (${code(type)}${body.required ? ', required' : ''})`, '');
      if (body.description) lines.push(body.description, '');
      lines.push(...schemaBlock(media.schema), '');
    }
  }
  const responses = Object.entries(op.responses ?? {});
  // Fastify's placeholder ("Default Response", no schema) says nothing worth a section.
  const informative = responses.some(([, r]) => (r.description && r.description !== 'Default Response') || Object.keys(r.content ?? {}).length);
  if (informative) {
    lines.push('**Responses**', '');
    for (const [status, r] of responses) {
      const described = r.description && r.description !== 'Default Response' ? `: ${r.description}` : '';
      lines.push(`- ${code(status)}${described}`);
      for (const [type, media] of Object.entries(r.content ?? {})) {
        if (media.schema) lines.push('', `  ${code(type)}:`, '', ...schemaBlock(media.schema).map((l) => (l ? `  ${l}` : l)));
      }
    }
    lines.push('');
  }
  return lines;
}

/**
 * The reference page. `marker` becomes an HTML comment on the first line. Tags appear in the order
 * of their first operation in the document; operations keep the document's order.
 */
export function renderApiReference(doc: OpenApiLike, marker: string): string {
  const byTag = new Map<string, [string, string, OperationLike][]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      for (const tag of op.tags?.length ? op.tags : [UNTAGGED]) {
        const list = byTag.get(tag) ?? [];
        list.push([method, path, op]);
        byTag.set(tag, list);
      }
    }
  }
  const lines = [`<!-- ${marker} -->`, `# ${doc.info.title} reference`, ''];
  if (doc.info.description) lines.push(doc.info.description, '');
  lines.push(`Version ${doc.info.version}. The machine-readable document is [openapi.json](openapi.json) (OpenAPI ${doc.openapi ?? '3'}).`, '');
  const schemes = Object.values(doc.components?.securitySchemes ?? {});
  const bearer = schemes.find((s) => s.type === 'http' && s.scheme === 'bearer');
  if (bearer) lines.push(`Operations that name permissions need \`Authorization: Bearer <token>\`${bearer.bearerFormat ? ` (a ${bearer.bearerFormat})` : ''} whose roles include one of them.`, '');
  for (const [tag, ops] of byTag) {
    lines.push(`## ${tag}`, '', '| Method | Path | Summary |', '|---|---|---|');
    for (const [method, path, op] of ops) lines.push(`| ${method.toUpperCase()} | ${code(path)} | ${cell(op.summary ?? '')} |`);
    lines.push('');
    for (const [method, path, op] of ops) lines.push(...operationBlock(method, path, op));
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
