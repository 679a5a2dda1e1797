/**
 * The values of @duckdb/node-api, loaded with `require`: imported as an ES module, Node's CJS
 * export lexer first parses each of the package's re-exported files (importing the database module
 * cost 170-195 ms of CPU on every command, measured), where `require` of the same package brings it
 * to ~100 ms. Types still come from `import type` of the package; every value import goes through here.
 */
import { createRequire } from 'node:module';

type NodeApi = typeof import('@duckdb/node-api');

const nodeApi = createRequire(import.meta.url)('@duckdb/node-api') as NodeApi;

export const DuckDBInstance: NodeApi['DuckDBInstance'] = nodeApi.DuckDBInstance;
export const DuckDBDataChunk: NodeApi['DuckDBDataChunk'] = nodeApi.DuckDBDataChunk;
export const StatementType: NodeApi['StatementType'] = nodeApi.StatementType;
export const listValue: NodeApi['listValue'] = nodeApi.listValue;
export const { BIGINT, INTEGER, VARCHAR } = nodeApi;
