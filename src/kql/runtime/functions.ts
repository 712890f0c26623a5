/**
 * Engine functions: KQL functions computed in JavaScript rather than in the SQL dialect, which an
 * event store registers with its engine under `sqlName` (DuckDB: scalar functions). Each one sees
 * nulls itself (it decides what a null argument means) and returns null for bad input.
 */
import * as geo from './geo.ts';
import { GEO_SHAPE_ENGINE_FUNCTIONS } from './geo-engine.ts';
import { hashCombine, kqlHash } from './hash.ts';
import { canonicalJson } from './json.ts';
import { betaCdf, betaInv, betaPdf, erf, erfc } from './math.ts';
import { seriesFft, seriesFillLinear, seriesFir, seriesFitLine, seriesFitPoly, seriesIir, seriesPearsonCorrelation } from './series.ts';
import { ipv4RangeToCidrList } from './ipv4-cidr.ts';
import * as codec from './text.ts';
import { weightedPercentilePositions } from './weighted-percentile.ts';
import { buildSchema } from './build-schema.ts';
import { scanEngine } from './scan.ts';
import { treepath } from './treepath.ts';
import { bagRemoveKeys, bagSetKey } from './bag-paths.ts';
import { geoInfoFromIpAddress, type GeoIpLookup } from './geo-ip.ts';
import { graphComponentsEngine } from './graph-components.ts';
import { tdigestPercentRank, tdigestPercentiles, tdigestRank } from './tdigest.ts';

/** A parameter or result type of an engine function. */
export type EngineType = 'real' | 'int' | 'string';

/** What some engine functions need from the server's configuration. */
export interface EngineContext {
  /** Looks IP addresses up in the operator's GeoIP database (serve --geoip-db); null without one. */
  geoIp: GeoIpLookup | null;
}

/** One engine function. */
export interface EngineFunction {
  /** The name the printed SQL calls. */
  sqlName: string;
  params: readonly EngineType[];
  returns: EngineType;
  /** Whether the result is JSON text that the SQL turns into a dynamic value. */
  json?: boolean;
  impl: (...args: (number | string | null)[]) => number | string | null;
}

/** An engine function that needs the server's configuration: registered only when `available` says so. */
export interface ContextualEngineFunction extends Omit<EngineFunction, 'impl'> {
  available: (ctx: EngineContext) => boolean;
  impl: (ctx: EngineContext) => EngineFunction['impl'];
}

const num = (v: number | string | null): number | null => (typeof v === 'number' ? v : null);
const text = (v: number | string | null): string | null => (typeof v === 'string' ? v : null);
/** Null when any of `args` is null, else `f` of them. */
const strict = <A extends unknown[]>(f: (...a: A) => number | string | null) => (...args: (number | string | null)[]) =>
  (args.some((a) => a === null) ? null : f(...(args as A)));

export const ENGINE_FUNCTIONS: readonly EngineFunction[] = [
  { sqlName: 'kql_geo_point_to_h3cell', params: ['real', 'real', 'int'], returns: 'string', impl: strict(geo.pointToH3Cell) },
  { sqlName: 'kql_geo_h3cell_level', params: ['string'], returns: 'int', impl: strict(geo.h3CellLevel) },
  { sqlName: 'kql_geo_h3cell_to_central_point', params: ['string'], returns: 'string', json: true, impl: strict(geo.h3CellToCentralPoint) },
  { sqlName: 'kql_geo_h3cell_to_polygon', params: ['string'], returns: 'string', json: true, impl: strict(geo.h3CellToPolygon) },
  // a null resolution means "one level up/down" (the printer passes it when the argument is omitted)
  { sqlName: 'kql_geo_h3cell_parent', params: ['string', 'int'], returns: 'string', impl: (c, r) => (text(c) === null ? null : geo.h3CellParent(text(c)!, num(r))) },
  { sqlName: 'kql_geo_h3cell_children', params: ['string', 'int'], returns: 'string', json: true, impl: (c, r) => (text(c) === null ? null : geo.h3CellChildren(text(c)!, num(r))) },
  { sqlName: 'kql_geo_h3cell_neighbors', params: ['string'], returns: 'string', json: true, impl: strict(geo.h3CellNeighbors) },
  { sqlName: 'kql_geo_h3cell_rings', params: ['string', 'int'], returns: 'string', json: true, impl: strict(geo.h3CellRings) },
  { sqlName: 'kql_geo_point_to_geohash', params: ['real', 'real', 'int'], returns: 'string', impl: strict(geo.pointToGeohash) },
  { sqlName: 'kql_geo_geohash_to_central_point', params: ['string'], returns: 'string', json: true, impl: strict(geo.geohashToCentralPoint) },
  { sqlName: 'kql_geo_geohash_to_polygon', params: ['string'], returns: 'string', json: true, impl: strict(geo.geohashToPolygon) },
  { sqlName: 'kql_geo_geohash_neighbors', params: ['string'], returns: 'string', json: true, impl: strict(geo.geohashNeighbors) },
  // S2 cells, GeoJSON shapes and WKT (src/kql/runtime/geo-engine.ts)
  ...GEO_SHAPE_ENGINE_FUNCTIONS,
  // hashes travel as decimal text (all 64 bits); the value comes as text with its kind (see hash.ts)
  { sqlName: 'kql_hash', params: ['string', 'string', 'string'], returns: 'string', impl: (k, v, m) => (text(k) === null ? null : kqlHash(text(k)!, text(v), text(m))) },
  { sqlName: 'kql_hash_combine', params: ['string', 'string'], returns: 'string', impl: (a, b) => hashCombine(text(a), text(b)) },
  // weighted percentiles: positions among the values the SQL keeps sorted (see weighted-percentile.ts)
  // buildschema: the schema of a group's dynamic values, handed over as one JSON array (build-schema.ts)
  // scan: the state machine over a whole input, rows in and output rows out as JSON (scan.ts)
  { sqlName: 'kql_scan', params: ['string', 'string'], returns: 'string', impl: (spec, rows) => (text(spec) === null ? null : scanEngine(text(spec)!, text(rows))) },
  // graph-mark-components: node identities and edges in, one component id per node out (graph-components.ts)
  { sqlName: 'kql_graph_components', params: ['string', 'string', 'int', 'int'], returns: 'string', impl: (k, e, s, p) => graphComponentsEngine(text(k), text(e), num(s), num(p)) },
  { sqlName: 'kql_treepath', params: ['string'], returns: 'string', json: true, impl: strict(treepath) },
  // bag keys given as `$` paths (bag-paths.ts)
  { sqlName: 'kql_bag_remove_keys', params: ['string', 'string'], returns: 'string', json: true, impl: (b, k) => (text(b) === null ? null : bagRemoveKeys(text(b)!, text(k))) },
  { sqlName: 'kql_bag_set_key', params: ['string', 'string', 'string'], returns: 'string', json: true, impl: (b, k, v) => (text(b) === null || text(k) === null ? null : bagSetKey(text(b)!, text(k)!, text(v))) },
  { sqlName: 'kql_buildschema', params: ['string'], returns: 'string', json: true, impl: strict(buildSchema) },
  // exact t-digests: JSON arrays of [value, weight] (tdigest.ts)
  { sqlName: 'kql_tdigest_percentiles', params: ['string', 'string'], returns: 'string', json: true, impl: strict(tdigestPercentiles) },
  { sqlName: 'kql_tdigest_rank', params: ['string', 'real'], returns: 'real', impl: strict(tdigestRank) },
  { sqlName: 'kql_tdigest_percentrank', params: ['string', 'real'], returns: 'real', impl: strict(tdigestPercentRank) },
  { sqlName: 'kql_weighted_percentile_positions', params: ['string', 'string'], returns: 'string', json: true, impl: strict(weightedPercentilePositions) },
  { sqlName: 'kql_punycode_from_string', params: ['string'], returns: 'string', impl: strict(codec.punycodeFromString) },
  { sqlName: 'kql_punycode_to_string', params: ['string'], returns: 'string', impl: strict(codec.punycodeToString) },
  { sqlName: 'kql_punycode_domain_to_string', params: ['string'], returns: 'string', impl: strict(codec.punycodeDomainToString) },
  { sqlName: 'kql_punycode_domain_from_string', params: ['string'], returns: 'string', impl: strict(codec.punycodeDomainFromString) },
  { sqlName: 'kql_gzip_compress_to_base64_string', params: ['string'], returns: 'string', impl: strict(codec.gzipCompressToBase64) },
  { sqlName: 'kql_gzip_decompress_from_base64_string', params: ['string'], returns: 'string', impl: strict(codec.gzipDecompressFromBase64) },
  { sqlName: 'kql_zlib_compress_to_base64_string', params: ['string'], returns: 'string', impl: strict(codec.zlibCompressToBase64) },
  { sqlName: 'kql_zlib_decompress_from_base64_string', params: ['string'], returns: 'string', impl: strict(codec.zlibDecompressFromBase64) },
  { sqlName: 'kql_dynamic_to_json', params: ['string'], returns: 'string', impl: strict(canonicalJson) },
  { sqlName: 'kql_erf', params: ['real'], returns: 'real', impl: strict(erf) },
  { sqlName: 'kql_erfc', params: ['real'], returns: 'real', impl: strict(erfc) },
  { sqlName: 'kql_beta_cdf', params: ['real', 'real', 'real'], returns: 'real', impl: strict(betaCdf) },
  { sqlName: 'kql_beta_pdf', params: ['real', 'real', 'real'], returns: 'real', impl: strict(betaPdf) },
  { sqlName: 'kql_beta_inv', params: ['real', 'real', 'real'], returns: 'real', impl: strict(betaInv) },
  // a null placeholder means "nulls are missing"; fill_edges comes as 0/1
  { sqlName: 'kql_series_fill_linear', params: ['string', 'string', 'int', 'real'], returns: 'string', json: true, impl: (s, ph, e, c) => seriesFillLinear(text(s), text(ph), num(e), num(c)) },
  { sqlName: 'kql_series_fit_line', params: ['string'], returns: 'string', json: true, impl: (s) => seriesFitLine(text(s)) },
  { sqlName: 'kql_series_fir', params: ['string', 'string', 'int', 'int'], returns: 'string', json: true, impl: (s, f, n, c) => seriesFir(text(s), text(f), num(n), num(c)) },
  { sqlName: 'kql_series_fit_poly', params: ['string', 'string', 'int'], returns: 'string', json: true, impl: (y, x, d) => seriesFitPoly(text(y), text(x), num(d)) },
  { sqlName: 'kql_series_fft', params: ['string', 'string', 'int'], returns: 'string', json: true, impl: (r, i, inv) => seriesFft(text(r), text(i), inv === 1) },
  { sqlName: 'kql_series_pearson_correlation', params: ['string', 'string'], returns: 'real', impl: (a, b) => seriesPearsonCorrelation(text(a), text(b)) },
  { sqlName: 'kql_ipv4_range_to_cidr_list', params: ['string', 'string'], returns: 'string', json: true, impl: strict(ipv4RangeToCidrList) },
  { sqlName: 'kql_base64_encode_fromguid', params: ['string'], returns: 'string', impl: strict(codec.base64EncodeFromGuid) },
  { sqlName: 'kql_base64_decode_toguid', params: ['string'], returns: 'string', impl: strict(codec.base64DecodeToGuid) },
  { sqlName: 'kql_series_iir', params: ['string', 'string', 'string'], returns: 'string', json: true, impl: (s, b, a) => seriesIir(text(s), text(b), text(a)) },
];

/** Engine functions that depend on the server's configuration. */
export const CONTEXTUAL_ENGINE_FUNCTIONS: readonly ContextualEngineFunction[] = [
  {
    sqlName: 'kql_geo_info_from_ip_address', params: ['string'], returns: 'string', json: true,
    available: (ctx) => ctx.geoIp !== null,
    impl: (ctx) => (ip) => (text(ip) === null || !ctx.geoIp ? null : geoInfoFromIpAddress(ctx.geoIp, text(ip)!)),
  },
];
