// The local MariaDB the bench's agents deliver into: root without a password on 127.0.0.1,
// one connection per use.
import mysql from 'mysql2/promise';

export const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export async function withDb<T>(fn: (db: mysql.Connection) => Promise<T>): Promise<T> {
  const db = await mysql.createConnection(MYSQL);
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}
