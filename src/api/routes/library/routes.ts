/**
 * The live response library (MDE reference §2.8): `GET /api/libraryfiles`, `POST /api/libraryfiles`
 * (multipart/form-data: `File`, `Description`, `ParametersDescription`, `HasParameters`,
 * `OverrideIfExists`; ≤ 20 MB) and `DELETE /api/libraryfiles/{fileName}`, all with Library.Manage.
 */
import { Type } from '@sinclair/typebox';
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { PalisadeError } from '../../../domain/errors.ts';
import { MAX_LIBRARY_FILE_BYTES, MAX_LIBRARY_TEXT } from '../../../domain/library-file.ts';
import { REQUIRE } from '../../../domain/permissions.ts';
import { LIBRARY_FILE } from '../../../entities/library-file.ts';
import { parseListQuery } from '../../../odata/index.ts';
import type { LibraryService, UploadPart } from '../../../services/library.ts';
import { entity, entityPage } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

/** A malformed body as MDE's 400; the framework's own errors (limits: 413) and Palisade's pass unchanged. */
function malformed(e: unknown): unknown {
  if (e instanceof PalisadeError || (typeof e === 'object' && e !== null && 'statusCode' in e)) return e;
  return new PalisadeError('InvalidRequestBody', `The multipart body is malformed: ${e instanceof Error ? e.message : String(e)}`);
}

/** A file part's bytes, with the parser's failures (a truncated body) as MDE's errors. */
async function* fileBytes(file: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of file) yield chunk;
  } catch (e) {
    throw malformed(e);
  }
}

/** The form's parts as the library use case reads them. */
async function* formParts(req: FastifyRequest): AsyncGenerator<UploadPart> {
  if (!req.isMultipart()) throw new PalisadeError('UnsupportedMediaType', 'Send the library file as multipart/form-data (fields File, Description, ParametersDescription, HasParameters, OverrideIfExists)');
  try {
    for await (const p of req.parts() as AsyncIterable<Multipart>) {
      if (p.type === 'file') yield { kind: 'file', name: p.fieldname, fileName: p.filename, content: fileBytes(p.file) };
      else yield { kind: 'field', name: p.fieldname, value: typeof p.value === 'string' ? p.value : String(p.value) };
    }
  } catch (e) {
    throw malformed(e);
  }
}

const BOUNDARY = 'palisade-example-boundary';
const EXAMPLE_FORM = [
  `--${BOUNDARY}`, 'Content-Disposition: form-data; name="File"; filename="collect.sh"', 'Content-Type: application/octet-stream', '', 'echo collected',
  `--${BOUNDARY}`, 'Content-Disposition: form-data; name="Description"', '', 'Collects what we need',
  `--${BOUNDARY}`, 'Content-Disposition: form-data; name="OverrideIfExists"', '', 'true',
  `--${BOUNDARY}--`, '',
].join('\r\n');

const fileNameParams = Type.Object({ fileName: Type.String({ minLength: 1, maxLength: 255, description: 'The library file name' }) });

/** The library routes, bound to a LibraryService. */
export function libraryRoutes(library: LibraryService, clock: () => Date = () => new Date()): ApiRoute[] {
  return [
    {
      method: 'GET', url: '/libraryfiles', auth: 'bearer', tag: 'Live response library', permissions: REQUIRE.library,
      summary: 'List the live response library (OData $filter, $top, $skip, $count, $orderby, $select)',
      schema: { querystring: Type.Object({}, { additionalProperties: Type.String() }), response: { 200: LIBRARY_FILE.schemas.collection } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, LIBRARY_FILE.set);
        return entityPage(req, reply, LIBRARY_FILE, q, await library.list(ctx, q), clock());
      },
    },
    {
      method: 'POST', url: '/libraryfiles', auth: 'bearer', tag: 'Live response library', permissions: REQUIRE.library,
      summary: 'Upload a library file (multipart/form-data: File, Description, ParametersDescription, HasParameters, OverrideIfExists; at most 20 MB)',
      schema: { response: { 200: LIBRARY_FILE.schemas.entity } },
      multipart: { fileSize: MAX_LIBRARY_FILE_BYTES + 1, fields: 8, fieldSize: MAX_LIBRARY_TEXT * 4 },
      example: { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: EXAMPLE_FORM },
      handler: async (req, reply, ctx) => {
        const saved = await library.upload(ctx, formParts(req));
        return entity(req, reply, LIBRARY_FILE.set.name, LIBRARY_FILE.json(saved, clock()));
      },
    },
    {
      method: 'DELETE', url: '/libraryfiles/:fileName', auth: 'bearer', tag: 'Live response library', permissions: REQUIRE.library,
      summary: 'Delete a library file (204; 404 when there is none)',
      schema: { params: fileNameParams },
      example: { params: { fileName: 'collect.sh' } },
      handler: async (req, reply, ctx) => {
        await library.delete(ctx, (req.params as { fileName: string }).fileName);
        return reply.status(204).send();
      },
    },
  ];
}
