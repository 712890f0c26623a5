/** The part of latlon-geohash (which ships no types) that Palisade uses. */
declare module 'latlon-geohash' {
  interface LatLon { lat: number; lon: number }
  const Geohash: {
    encode(lat: number, lon: number, precision?: number): string;
    bounds(geohash: string): { sw: LatLon; ne: LatLon };
    neighbours(geohash: string): Record<'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w' | 'nw', string>;
  };
  export default Geohash;
}
