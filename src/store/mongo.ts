// MongoDB access: the client, the collections and their indexes. Only features that both MongoDB
// and FerretDB 1.24 support are used (no transactions, no TTL or partial indexes).
import { MongoClient, type Db } from "mongodb";

export interface Mongo {
  client: MongoClient;
  db: Db;
}

export function createMongo(url: string): Mongo {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 2_000,
    connectTimeoutMS: 2_000,
    maxPoolSize: 20,
  });
  return { client, db: client.db() };
}

/** Creates the indexes every collection needs; safe to run on every start. */
export async function ensureIndexes(db: Db): Promise<void> {
  await db.collection("users").createIndex({ usernameLower: 1 }, { unique: true });
  await db.collection("games").createIndex({ playerIds: 1, endedAt: -1, _id: -1 });
}
