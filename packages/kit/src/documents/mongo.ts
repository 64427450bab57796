import mongoose, { type Connection } from 'mongoose';
import type { Checkable } from '../health';
import type { Document, DocumentStore, Filter, FindOptions } from './port';

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

  async find(collection: string, filter: Filter, options: FindOptions = {}): Promise<Document[]> {
    if (options.limit === 0) return []; // MongoDB reads limit 0 as "no limit"
    let cursor = this.connection.collection(collection).find(filter, { projection: { _id: 0 } });
    if (options.sort) cursor = cursor.sort(options.sort);
    if (options.limit !== undefined) cursor = cursor.limit(options.limit);
    return cursor.toArray();
  }

  count(collection: string, filter: Filter): Promise<number> {
    return this.connection.collection(collection).countDocuments(filter);
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
