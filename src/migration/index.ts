export * from './options';
export * from './plan';
export * from './gate';
export { renderRunbook } from './runbook';
export { phaseCommands, PhaseCommandInput, PhaseCommands } from './verification';
