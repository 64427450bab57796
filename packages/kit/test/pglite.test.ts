import { pglitePlace, sqlContract } from '../src/testing';

sqlContract('pglite', (options) => pglitePlace(options));
