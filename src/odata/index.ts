/** OData query options → domain ListQuery. The public surface of src/odata. */
export { parseListQuery, parseSelectOption, type ListQueryParams } from './list-query-parser.ts';
export { parseFilter } from './filter-parser.ts';
export { parseIsoDateTime } from './datetime-literal.ts';
