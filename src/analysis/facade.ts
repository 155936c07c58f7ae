/** What the lint face needs from the engine, in one import. */
export { buildMeshModel } from '../model/mesh-model';
export type { MeshModel } from '../model/mesh-model';
export type { MeshOptions } from '../model/mesh-options';
export { analyzeMesh, ANALYSIS_RULES } from './analyze';
