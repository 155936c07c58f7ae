import { Crd } from './crd-files';

/** Placeholder until the structural-schema generator lands: writes nothing. */
export function generateSchemas(_crds: Crd[], _outDir: string): void {}
