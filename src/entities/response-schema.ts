/**
 * The TypeBox response schemas of an entity declaration: they document the responses in the
 * OpenAPI document and let Fastify serialize them with a compiled serializer. Every declared
 * property is required (the JSON mapping writes each one, null when it has no value).
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { EntityDecl, PropType, ValueDecl } from './declaration.ts';

/** The JSON schema of one value of a declared type (without nullability). */
function baseSchema(type: PropType, description?: string): Record<string, unknown> {
  const d = description ? { description } : {};
  if (type === 'string') return { type: 'string', ...d };
  if (type === 'integer' || type === 'number' || type === 'boolean') return { type, ...d };
  if (type === 'datetime') return { type: 'string', format: 'date-time', ...d };
  if (type === 'bag') return { type: 'object', additionalProperties: true, ...d };
  if ('enum' in type) return { type: 'string', enum: [...type.enum], ...d };
  if ('list' in type) return { type: 'array', items: schemaOf({ name: 'item', type: type.list }), ...d };
  return { ...objectSchema(type.object), ...d };
}

/** The schema of a declared value, nullable when declared so. */
function schemaOf(v: ValueDecl): TSchema {
  const s = baseSchema(v.type, v.description);
  if (!v.nullable) return Type.Unsafe(s);
  const nullableEnum = Array.isArray(s.enum) ? { enum: [...(s.enum as unknown[]), null] } : {};
  return Type.Unsafe({ ...s, type: [s.type, 'null'], ...nullableEnum });
}

/** The schema of an object whose members are all present. */
function objectSchema(members: readonly ValueDecl[]): Record<string, unknown> {
  return Type.Object(Object.fromEntries(members.map((m) => [m.name, schemaOf(m)])));
}

/** The schemas of one entity, one entity with its `@odata.context`, and a page of entities. */
export function responseSchemasOf<R>(decl: EntityDecl<R>): { item: TSchema; entity: TSchema; collection: TSchema } {
  const props = Object.fromEntries(decl.properties.map((p) => [p.name, schemaOf(p)]));
  const item = Type.Object(props, { description: decl.description });
  return {
    item,
    entity: Type.Object({ '@odata.context': Type.String(), ...props }),
    collection: Type.Object({
      '@odata.context': Type.String(),
      '@odata.count': Type.Optional(Type.Integer()),
      value: Type.Array(item),
      '@odata.nextLink': Type.Optional(Type.String()),
    }),
  };
}
