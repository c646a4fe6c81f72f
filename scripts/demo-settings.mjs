// Prints the sample workspace's .vscode/settings.json for the demo, from the sandbox's env.
const env = process.env;
const settings = {
  'hpcWorkbench.clusters': [
    { name: 'sandbox', host: 'hpcw-sandbox', remoteDir: '~/hpc-workbench/demo' },
    { name: 'sandbox-local', transport: 'local', slurmConf: env.SLURM_CONF },
  ],
  'hpcWorkbench.refreshInterval': 5,
  'hpcWorkbench.python': '/usr/bin/python3',
  'hpcWorkbench.mpi.ranks': 4,
};
process.stdout.write(JSON.stringify(settings, null, 2) + '\n');
