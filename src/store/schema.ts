import type { StandardSchemaV1 } from '@standard-schema/spec';
import { StoreInvalidArgumentError, type StoreIssue, StoreSchemaError } from './errors.js';

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard'];
  return (
    typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function'
  );
}

export function checkSchema(value: unknown): StandardSchemaV1 | undefined {
  if (value === undefined) return undefined;
  if (!isStandardSchema(value)) {
    throw new StoreInvalidArgumentError(
      'schema must be a Standard Schema validator (zod, valibot, arktype...): an object with ["~standard"].validate',
    );
  }
  return value;
}

function toIssue(issue: StandardSchemaV1.Issue): StoreIssue {
  const path = (issue.path ?? []).map((segment) =>
    typeof segment === 'object' && segment !== null ? segment.key : segment,
  );
  return { path, message: issue.message };
}

/** Validate `value` with `schema` (when there is one) and return its output, or throw `STORE_SCHEMA`. */
export async function validate<T>(
  schema: StandardSchemaV1 | undefined,
  value: unknown,
  file: string,
  source: 'file' | 'defaults' | 'update',
): Promise<T> {
  if (!schema) return value as T;
  let result = schema['~standard'].validate(value);
  if (result instanceof Promise) result = await result;
  if (result.issues) throw new StoreSchemaError(file, source, result.issues.map(toIssue));
  return result.value as T;
}
