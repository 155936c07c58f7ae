import type { ValidateFunction } from 'ajv';
import { FormatDefinitions, formatDefinitions, usePrecompiledValidator } from './ajv-schema';
import { CrdSchemas, CrdVersionSchema } from './crd-schema';
import { goRegExp, StructuralSchema } from './structural';

/**
 * A generated CRD module (src/validation/schemas/<crd>.ts, written by
 * `npm run import`): the structural schemas and their ajv standalone validators.
 */
export interface GeneratedCrdModule {
  /** JSON text of the structural schemas, indexed by {@link CrdVersionSchema.schema}. */
  readonly SCHEMAS_JSON: string;
  /** The validators of those schemas, in the same order, as `createAjv()` would compile them. */
  readonly createValidators: (formats: FormatDefinitions, regExp: (pattern: string) => RegExp) => ValidateFunction[];
}

/** One built-in CRD as the generated index lists it: names up front, the rest in `load()`. */
export interface GeneratedCrd {
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly statusSubresource: boolean;
  readonly versions: readonly CrdVersionSchema[];
  /** Requires the CRD's module. */
  readonly load: () => GeneratedCrdModule;
}

/** The precompiled validators of a generated CRD module, created once per module. */
const created = new WeakMap<GeneratedCrdModule, ValidateFunction[]>();

export function precompiledValidators(module: GeneratedCrdModule): ValidateFunction[] {
  let fns = created.get(module);
  if (!fns) {
    fns = module.createValidators(formatDefinitions(), goRegExp);
    created.set(module, fns);
  }
  return fns;
}

/**
 * The CrdSchemas of a built-in CRD. Its module is required, and its schemas
 * parsed, on the first read of `schemas`; each schema's validator is the
 * precompiled one, created on its first use.
 */
export function builtinCrdSchemas(crd: GeneratedCrd): CrdSchemas {
  let schemas: readonly StructuralSchema[] | undefined;
  return {
    name: crd.name,
    group: crd.group,
    kind: crd.kind,
    statusSubresource: crd.statusSubresource,
    versions: crd.versions,
    get schemas(): readonly StructuralSchema[] {
      if (!schemas) {
        const module = crd.load();
        const parsed = JSON.parse(module.SCHEMAS_JSON) as StructuralSchema[];
        parsed.forEach((schema, i) => usePrecompiledValidator(schema, () => precompiledValidators(module)[i]));
        schemas = parsed;
      }
      return schemas;
    },
  };
}
