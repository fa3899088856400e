// Public API of the Message Batches simulator.
export { startSimulator } from './server.ts';
export { paramsHash } from './hash.ts';
export { sampleFromJsonSchema } from './schema-sample.ts';
export { itemFaultFor } from './faults.ts';
export { builtinAnswer, builtinTaskOf } from './builtin-answer.ts';
export { parseModelErrorRates, type ModelErrorRates } from './model-errors.ts';
export type {
  FaultRoute,
  HttpFault,
  ItemFaultKind,
  ItemFaults,
  NotifyOptions,
  Simulator,
  SimulatorFaults,
  SimulatorOptions,
  SimulatorStats,
} from './types.ts';
