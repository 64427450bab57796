import mongoose, { type Connection } from 'mongoose';
import type { Checkable } from '../health';
import {
  checkPipeline,
  type Document,
  type DocumentStore,
  type Filter,
  type FindOptions,
  type IndexSpec,
  type Stage,
} from './port';

/**
 * The document store of distributed mode: MongoDB (or a MongoDB-wire server such as
 * FerretDB) through mongoose's connection and the driver's raw collection API; documents
 * are schemaless here, so no mongoose models. Dates round-trip as BSON dates.
 */
export class MongoDocumentStore implements DocumentStore, Checkable {
  private constructor(private readonly connection: Connection) {}

  async health(): Promise<void> {
    // 1: connected (mongoose's readyState)
    if (this.connection.readyState !== 1) throw new Error('mongodb disconnected');
    await this.connection.db?.admin().ping();
  }

  static async open(url: string): Promise<MongoDocumentStore> {
    const connection = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    return new MongoDocumentStore(connection);
  }

  async insert(collection: string, docs: Document[]): Promise<void> {
    if (docs.length === 0) return;
    // insertMany adds an _id to the objects it is given: keep the caller's documents untouched.
    await this.connection.collection(collection).insertMany(docs.map((doc) => ({ ...doc })));
  }

  async insertNew<T extends { _id: string }>(collection: string, docs: readonly T[]): Promise<number> {
    if (docs.length === 0) return 0;
    try {
      const result = await this.connection
        .collection<{ _id: string }>(collection)
        .insertMany(docs.map((doc) => ({ ...doc })) as never[], { ordered: false });
      return result.insertedCount;
    } catch (error) {
      // Duplicate _ids (E11000) are the documents already there; anything else is a failure.
      const bulk = error as {
        code?: number;
        writeErrors?: { code: number }[] | { code: number };
        insertedCount?: number;
      };
      const writeErrors = [bulk.writeErrors ?? []].flat();
      const duplicatesOnly =
        (bulk.code === 11000 || writeErrors.length > 0) && writeErrors.every((e) => e.code === 11000);
      if (!duplicatesOnly || bulk.insertedCount === undefined) throw error;
      return bulk.insertedCount;
    }
  }

  async put<T extends { _id: string }>(collection: string, docs: readonly T[]): Promise<void> {
    if (docs.length === 0) return;
    await this.connection.collection<{ _id: string }>(collection).bulkWrite(
      docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc as Document, upsert: true } })),
      { ordered: false },
    );
  }

  async find(collection: string, filter: Filter, options: FindOptions = {}): Promise<Document[]> {
    if (options.limit === 0) return []; // MongoDB reads limit 0 as "no limit"
    let cursor = this.connection.collection(collection).find(filter as mongoose.mongo.Filter<Document>);
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return (await cursor.toArray()).map(withoutServerId);
  }

  count(collection: string, filter: Filter): Promise<number> {
    return this.connection.collection(collection).countDocuments(filter as mongoose.mongo.Filter<Document>);
  }

  async delete(collection: string, filter: Filter): Promise<number> {
    const result = await this.connection.collection(collection).deleteMany(filter as mongoose.mongo.Filter<Document>);
    return result.deletedCount;
  }

  async aggregate(collection: string, pipeline: Stage[]): Promise<Document[]> {
    checkPipeline(pipeline);
    const rows = await this.connection
      .collection(collection)
      .aggregate(pipeline as Document[])
      .toArray();
    return rows.map(withoutServerId);
  }

  async ensureIndexes(collection: string, indexes: IndexSpec[]): Promise<void> {
    const target = this.connection.collection(collection);
    for (const { key, expireAfterSeconds } of indexes) {
      if (expireAfterSeconds === undefined) {
        await target.createIndex(key);
        continue;
      }
      try {
        await target.createIndex(key, { expireAfterSeconds });
      } catch (error) {
        // FerretDB 1.x has no TTL indexes ("not implemented"): keep the index, the retention
        // is swept by its owner (see IndexSpec).
        if (!/not implemented/i.test((error as Error).message)) throw error;
        await target.createIndex(key);
      }
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/** `_id`s the server made up (ObjectIds, for `insert`) are not the caller's business. */
function withoutServerId(doc: Document): Document {
  if (!(doc._id instanceof mongoose.Types.ObjectId)) return doc;
  const { _id: _ignored, ...rest } = doc;
  return rest;
}
