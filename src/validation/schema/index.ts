export { builtinSchemaSet, CrdSchemaSet, schemaSetFromCrds, ServedSchema } from './crd-schema-set';
export { CrdSchemas, CrdVersionSchema } from './crd-schema';
export { SCHEMA_CODES, SCHEMA_RULES } from './rules';
export { CelRule, StructuralSchema, toStructural, NonStructuralSchemaError } from './structural';
export { validateStructure } from './validate';
