/**
 * Local MPI and multiprocessing runs, the I/O half: starting and stopping a run's processes,
 * finding them in /proc, reading the rank directory, looking launchers and the platform up.
 * No vscode import (eslint). The pure half (plans, parsing, attribution) is src/core/mpi.
 */
export * from './launcher';
export * from './platform';
export * from './processes';
export * from './python';
export * from './rankFiles';
export * from './run';
