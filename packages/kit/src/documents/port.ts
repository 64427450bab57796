export type Scalar = string | number | boolean | Date | null;
export type Document = Record<string, unknown>;

/** A field either equals a value or satisfies range / membership operators. */
export type FieldFilter = Scalar | { $gt?: Scalar; $gte?: Scalar; $lt?: Scalar; $lte?: Scalar; $in?: Scalar[] };
export type Filter = Record<string, FieldFilter>;

export interface FindOptions {
  sort?: Record<string, 1 | -1>;
  limit?: number;
}

/** The document store port (MongoDB in distributed mode): the subset of queries Agora uses. */
export interface DocumentStore {
  insert(collection: string, docs: Document[]): Promise<void>;
  find(collection: string, filter: Filter, options?: FindOptions): Promise<Document[]>;
  count(collection: string, filter: Filter): Promise<number>;
  close(): Promise<void>;
}
