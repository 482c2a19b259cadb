export { type PostgresBackend, type PostgresBackendOptions, postgresBackend } from './backend.js';
export { PostgresConnectionError, PostgresPoolerError, PostgresQueryError } from './errors.js';
export { FENCING_TABLE_DDL } from './fencing.js';
