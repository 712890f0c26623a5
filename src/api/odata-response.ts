/**
 * OData v4 response envelopes as MDE sends them: `@odata.context`, `value`, `@odata.count`,
 * `@odata.nextLink`, the `odata.metadata=minimal` content type and the `OData-Version` header.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ListQuery } from '../domain/list-query.ts';
import type { Entity, Expansion } from '../entities/entity.ts';
import { parseSelectOption } from '../odata/index.ts';

export const ODATA_CONTENT_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';

/** `https://host:port` as the client addressed this server. */
export function baseUrlOf(req: FastifyRequest): string {
  const host = req.headers.host ?? `${req.hostname}`;
  return `${req.protocol}://${host}`;
}

/**
 * The metadata document's URL for the API prefix the client used: `…/api/v1.0/$metadata` when it
 * called `/api/v1.0/…` (as MDE answers), `…/api/$metadata` otherwise.
 */
export function metadataUrlOf(req: FastifyRequest): string {
  return `${baseUrlOf(req)}${/^\/api\/v1\.0(\/|\?|$)/i.test(req.url) ? '/api/v1.0' : '/api'}/$metadata`;
}

function odata<T>(reply: FastifyReply, body: T): T {
  void reply.header('OData-Version', '4.0').type(ODATA_CONTENT_TYPE);
  return body;
}

/**
 * A collection page body (headers set on the reply; the handler returns the body). Adds
 * `@odata.nextLink` when the page is full and more may remain; the link keeps every other option.
 */
export function collection(req: FastifyRequest, reply: FastifyReply, set: string, items: unknown[], q?: ListQuery, total?: number): Record<string, unknown> {
  const body: Record<string, unknown> = { '@odata.context': `${metadataUrlOf(req)}#${set}` };
  if (total !== undefined) body['@odata.count'] = total;
  body.value = items;
  if (q && items.length > 0 && items.length === q.top && (total === undefined || q.skip + items.length < total)) {
    const url = new URL(req.url, baseUrlOf(req));
    url.searchParams.set('$skip', String(q.skip + items.length));
    url.searchParams.set('$top', String(q.top));
    body['@odata.nextLink'] = url.toString();
  }
  return odata(reply, body);
}

/**
 * Marks the reply as a `$select` projection: it leaves out properties the response schema
 * requires, so it is written with JSON.stringify instead of the schema's compiled serializer.
 */
export function projected(reply: FastifyReply): void {
  void reply.serializer(JSON.stringify);
}

/** A single entity body (headers set on the reply). */
export function entity(req: FastifyRequest, reply: FastifyReply, set: string, entity: Record<string, unknown>): Record<string, unknown> {
  return odata(reply, { '@odata.context': `${metadataUrlOf(req)}#${set}/$entity`, ...entity });
}

/** A single value of a complex type (`#microsoft.windowsDefenderATP.api.InOrgFileStats`), headers set on the reply. */
export function complexValue(req: FastifyRequest, reply: FastifyReply, type: string, value: Record<string, unknown>): Record<string, unknown> {
  return odata(reply, { '@odata.context': `${metadataUrlOf(req)}#${type}`, ...value });
}

/**
 * A page of a declared entity as its list routes answer it: the parsed query's `$select` honoured
 * (the reply projected), `@odata.context` naming the selection, the paging links of `collection`;
 * `expansion` (the route's reading of `$expand`, where it supports one) fills expandable properties.
 */
export function entityPage<R>(req: FastifyRequest, reply: FastifyReply, decl: Entity<R>, q: ListQuery, page: { items: readonly R[]; total?: number }, now: Date, expansion?: Expansion | null): Record<string, unknown> {
  const selection = decl.selection(q.select);
  if (selection) projected(reply);
  return collection(req, reply, decl.context(selection), page.items.map((r) => decl.json(r, now, selection, expansion)), q, page.total);
}

/**
 * One record of a declared entity as a GET by id answers it: the request's `$select` honoured (the
 * reply projected), `@odata.context` naming the selection; `expansion` fills expandable properties.
 * The selection is checked before `load` runs, so a bad `$select` is refused without a lookup.
 */
export async function selectedEntity<R>(req: FastifyRequest, reply: FastifyReply, decl: Entity<R>, load: () => Promise<R>, now: () => Date, expansion?: Expansion | null): Promise<Record<string, unknown>> {
  const selection = decl.selection(parseSelectOption(req.query as Record<string, unknown>));
  const record = await load();
  if (selection) projected(reply);
  return entity(req, reply, decl.context(selection), decl.json(record, now(), selection, expansion));
}
