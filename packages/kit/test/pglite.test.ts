import { pglitePlace, sqlContract } from '../src/db/contract';

sqlContract('pglite', (options) => pglitePlace(options));
