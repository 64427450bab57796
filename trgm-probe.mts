import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
let t = Date.now();
const a = await PGlite.create();
console.log('plain', Date.now() - t);
t = Date.now();
const b = await PGlite.create({ extensions: { pg_trgm } });
console.log('trgm', Date.now() - t);
t = Date.now();
const c = await b.clone();
console.log('clone', Date.now() - t);
t = Date.now();
await c.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm');
console.log('create ext', Date.now() - t);
console.log(await c.query(`select similarity('hello','helo') s, websearch_to_tsquery('english', 'foo "bar baz" or qux -zed') q, ts_headline('english','the <b>quick</b> fox', to_tsquery('quick'), 'StartSel=\u0001,StopSel=\u0002') h`));
const d = await a.clone();
t = Date.now();
try { await d.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm'); console.log('without ext OK'); } catch (e) { console.log('without ext fails', (e as Error).message); }
