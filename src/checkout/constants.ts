// The check-out registry's public constants, in a module of their own so that importing them (the public
// root does) loads none of the registry's code.

/** The folder under the root that holds the registry and the audit log; never a file to check out. */
export const REGISTRY_FOLDER = '.locksmith';

/**
 * Below PIPE_BUF (4096 on Linux): one `write` of an O_APPEND file that size lands whole on local
 * filesystems even next to writers that do not take the registry lock.
 */
export const MAX_AUDIT_LINE_BYTES = 4096;
