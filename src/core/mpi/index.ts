/** Local (and later remote) multi-rank runs, the pure half: command building, output by rank, failure attribution. The I/O half is src/runtime/mpi. */
export * from './launcher';
export * from './launchPlan';
export * from './rankOutput';
export * from './failure';
export * from './python';
export * from './installHints';
export * from './workerHook';
