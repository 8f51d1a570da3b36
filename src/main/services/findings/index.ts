/** Evaluations of workflows over the station's records and policy, and scenario folders. */
export {
  computeEvaluation,
  evaluateWorkflow,
  evaluationStatus,
  evaluationView,
  workflowOf,
  type FindingsRegistry,
} from './evaluate';
export { findingsSubjects } from './subjects';
export {
  compareExpectation,
  importScenarioSources,
  readScenario,
  runScenario,
  scenarioSchema,
  type Scenario,
  type ScenarioRun,
} from './scenario';
