// Apollo Gateway's default subgraph fetcher, used here only as the benchmark baseline.
declare module 'make-fetch-happen';
