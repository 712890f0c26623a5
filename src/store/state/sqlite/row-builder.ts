/**
 * Turns the value arrays of better-sqlite3's raw mode into row objects. better-sqlite3 builds row
 * objects in native code one property at a time, which costs about as much as running the query
 * itself; a JS object literal with a fixed set of keys is several times cheaper and gives every row
 * of a statement the same hidden class.
 */

/** Builds the row object of one raw result row. */
export type RowBuilder = (values: readonly unknown[]) => Record<string, unknown>;

/**
 * A builder for rows with these column names (in result order). Row objects get the names as own
 * enumerable properties, in column order; when a name repeats, the last column wins (as in
 * better-sqlite3's object mode).
 */
export function rowBuilder(columns: readonly string[]): RowBuilder {
  if (columns.includes('__proto__')) return slowRowBuilder(columns);
  // The keys are JSON string literals of the column names, so any name is spelled safely; the
  // generated function only reads array slots and builds a literal.
  const body = `return {${columns.map((c, i) => `${JSON.stringify(c)}: v[${i}]`).join(', ')}};`;
  return new Function('v', body) as RowBuilder;
}

/** The generic builder, for names an object literal would misread (`__proto__`). */
function slowRowBuilder(columns: readonly string[]): RowBuilder {
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      Object.defineProperty(row, columns[i], { value: values[i], enumerable: true, writable: true, configurable: true });
    }
    return row;
  };
}
