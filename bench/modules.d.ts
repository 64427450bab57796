declare module 'autocannon';
declare module 'pg';
