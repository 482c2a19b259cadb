import type { StandardSchemaV1 } from '@standard-schema/spec';

/** One check-out as `.locksmith/checkouts.json` keeps it. */
export interface CheckoutRecord {
  owner: string;
  message: string;
  /** ISO 8601. */
  checkedOutAt: string;
  /** The machine and process that recorded it (diagnostic). */
  host?: string;
  pid?: number;
}

/** The whole registry file. */
export interface RegistryData {
  version: 1;
  /** Set by `protectAvailable()`: the folder keeps files read-only until checked out, whoever opens it. */
  readOnlyUntilCheckedOut?: boolean;
  /** By file name relative to the root, `/`-separated. */
  checkouts: Record<string, CheckoutRecord>;
}

export const EMPTY_REGISTRY: RegistryData = { version: 1, checkouts: {} };

type Issue = StandardSchemaV1.Issue;

function checkRecord(name: string, value: unknown, issues: Issue[]): void {
  const at = (key?: string) => (key === undefined ? ['checkouts', name] : ['checkouts', name, key]);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path: at(), message: 'expected an object' });
    return;
  }
  const r = value as Record<string, unknown>;
  if (typeof r.owner !== 'string' || r.owner === '')
    issues.push({ path: at('owner'), message: 'expected a non-empty string' });
  if (typeof r.message !== 'string') issues.push({ path: at('message'), message: 'expected a string' });
  if (typeof r.checkedOutAt !== 'string' || Number.isNaN(Date.parse(r.checkedOutAt)))
    issues.push({ path: at('checkedOutAt'), message: 'expected an ISO 8601 date' });
  if (r.host !== undefined && typeof r.host !== 'string')
    issues.push({ path: at('host'), message: 'expected a string' });
  if (r.pid !== undefined && !Number.isInteger(r.pid))
    issues.push({ path: at('pid'), message: 'expected an integer' });
}

/**
 * The registry's shape, as a Standard Schema validator the store checks on every read and write: a
 * registry someone edited into another shape is reported, never used or overwritten.
 */
export const registrySchema: StandardSchemaV1<unknown, RegistryData> = {
  '~standard': {
    version: 1,
    vendor: 'locksmith',
    validate(value) {
      const issues: Issue[] = [];
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { issues: [{ message: 'expected an object { "version": 1, "checkouts": {...} }' }] };
      }
      const v = value as Record<string, unknown>;
      if (v.version !== 1) issues.push({ path: ['version'], message: 'expected 1' });
      if (v.readOnlyUntilCheckedOut !== undefined && typeof v.readOnlyUntilCheckedOut !== 'boolean')
        issues.push({ path: ['readOnlyUntilCheckedOut'], message: 'expected a boolean' });
      const checkouts = v.checkouts;
      if (typeof checkouts !== 'object' || checkouts === null || Array.isArray(checkouts)) {
        issues.push({ path: ['checkouts'], message: 'expected an object' });
      } else {
        for (const [name, record] of Object.entries(checkouts)) checkRecord(name, record, issues);
      }
      return issues.length > 0 ? { issues } : { value: value as RegistryData };
    },
  },
};
