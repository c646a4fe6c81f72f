/** Local (and later remote) multi-rank runs: detection, command building, output by rank. */
export * from './launcher';
export * from './launchPlan';
export * from './rankOutput';
export * from './failure';
export * from './processes';
export * from './python';
export * from './installHints';
export * from './run';
