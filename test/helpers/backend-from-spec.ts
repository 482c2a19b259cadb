// A backend as tests can describe it to a child process over IPC (a backend object cannot travel), and
// the one helper that turns such a description into a backend, in the test process and in its children.
import type { BackendOption } from '../../src/index.js';
import { type PostgresBackend, postgresBackend } from '../../src/postgres/index.js';

/** A backend by name, or how to build a server's backend: plain data, so that it survives IPC. */
export type BackendSpec =
  | 'kernel'
  | 'lease'
  | { kind: 'postgres'; connectionString: string; namespace: string; root?: string };

const built = new Map<string, PostgresBackend>();

/**
 * The backend `spec` describes. A server's backend is built once per spec and process, so that the
 * tasks of one process share its in-process queue, like the tasks of a real program sharing one backend.
 */
export function backendFromSpec(spec: BackendSpec): BackendOption {
  if (typeof spec === 'string') return spec;
  if (spec.kind !== 'postgres') throw new Error(`unknown backend spec ${JSON.stringify(spec)}`);
  const id = JSON.stringify([spec.connectionString, spec.namespace, spec.root]);
  let backend = built.get(id);
  if (!backend) {
    backend = postgresBackend({
      connectionString: spec.connectionString,
      namespace: spec.namespace,
      ...(spec.root === undefined ? {} : { root: spec.root }),
    });
    built.set(id, backend);
  }
  return backend;
}

/** Close every backend built here (idle connections, wake-up listener), so that the process can exit. */
export async function closeBuiltBackends(): Promise<void> {
  const backends = [...built.values()];
  built.clear();
  await Promise.all(backends.map((backend) => backend.close()));
}
