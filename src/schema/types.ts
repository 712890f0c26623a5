/**
 * How an event table is declared (DESIGN.md §8: declare a table once). Every generated artifact —
 * DuckDB DDL, the KQL binder's schema, the ingest JSON schema, docs — comes from these declarations.
 */

/** KQL scalar types used by hunting tables. */
export type KqlColumnType = 'string' | 'long' | 'int' | 'real' | 'bool' | 'datetime' | 'dynamic' | 'guid' | 'timespan' | 'decimal';

export interface ColumnDecl {
  name: string;
  type: KqlColumnType;
  description: string;
}

export interface TableDecl {
  /** The advanced-hunting table name, e.g. DeviceProcessEvents. */
  name: string;
  description: string;
  columns: readonly ColumnDecl[];
  /**
   * Who writes the rows: 'sensor' (devices, through the ingest pipeline; the default when absent) or
   * 'service' (Palisade itself, e.g. alerts). The ingest pipeline refuses sensor lines for 'service' tables.
   */
  writtenBy?: 'sensor' | 'service';
}
