// Opens the embedded database in a data directory and holds it until killed (for the lock test).
import { openDb } from '../../src/core/store/index.js';

const db = await openDb({ dataDir: process.argv[2]!, owner: 'hub start' });
await db.query('SELECT 1');
console.log('holding');
setInterval(() => undefined, 60_000);
