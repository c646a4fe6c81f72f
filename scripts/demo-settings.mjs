// Prints the sample workspace's .vscode/settings.json for the demo (and the screenshots), from
// the sandbox's env.
const env = process.env;
const settings = {
  'hpcWorkbench.clusters': [
    { name: 'sandbox', host: 'hpcw-sandbox', remoteDir: '~/hpc-workbench/demo' },
    { name: 'sandbox-local', transport: 'local', slurmConf: env.SLURM_CONF },
  ],
  'hpcWorkbench.refreshInterval': 5,
  'hpcWorkbench.python': '/usr/bin/python3',
  'hpcWorkbench.mpi.ranks': 4,
  // The demo's workspace lives inside the clone: no "A git repository was found in the parent
  // folders" prompt.
  'git.openRepositoryInParentFolders': 'never',
};
process.stdout.write(JSON.stringify(settings, null, 2) + '\n');
