/**
 * The catalogue of sbatch options: every option of current Slurm (checked against the installed
 * sbatch man page by test/unit/core/sbatch/catalogue.test.ts), with its short letter, whether it
 * takes a value, the grammar of the value, the SBATCH_* input environment variable and a short
 * description in our own words for hover and completion.
 */

export type OptionArg = 'required' | 'optional' | 'none';

export interface SbatchOption {
  /** Long name without the leading dashes, e.g. "time". */
  long: string;
  /** Short letter, e.g. "t". */
  short?: string;
  arg: OptionArg;
  /** The grammar of the value, used to pick a validator and completion. */
  valueKind: string;
  /** Enumerated values offered by completion (case as Slurm documents them). */
  values?: string[];
  /** How the value looks, e.g. "[[DD-]HH:]MM[:SS]". Empty for flags. */
  placeholder: string;
  /** The SBATCH_* input environment variable that sets the same thing. */
  env?: string;
  /** One paragraph for hover. */
  description: string;
  /** Slurm version that added the option (only where it is newer than 20.x). */
  since?: string;
  /**
   * When `since` is only the first recorded version that has the option: the last recorded one
   * that lacks it. A cluster between the two may or may not have it (a warning, not an error).
   */
  sinceAfter?: string;
  deprecated?: { since?: string; replacement?: string; note?: string };
  /** Slurm version whose sbatch no longer accepts it; sbatch of that version rejects it. */
  removed?: string;
  /**
   * Later changes of whether the option takes a value: from `since` on, `arg` applies (`arg`
   * above is the kind of the oldest supported version). Recorded from each real sbatch
   * (test/fixtures/sbatch/options-<version>.txt).
   */
  argChanges?: { since: string; arg: OptionArg }[];
  /** Other long names sbatch accepts for the same option (hidden aliases). */
  aliases?: string[];
  /** Only meaningful on the command line, not in a script (e.g. --help). */
  commandLineOnly?: boolean;
}

export const MAIL_TYPES = [
  'NONE', 'BEGIN', 'END', 'FAIL', 'REQUEUE', 'ALL', 'INVALID_DEPEND', 'STAGE_OUT',
  'TIME_LIMIT', 'TIME_LIMIT_90', 'TIME_LIMIT_80', 'TIME_LIMIT_50', 'ARRAY_TASKS',
];

export const DEPENDENCY_TYPES = ['after', 'afterany', 'afterburstbuffer', 'aftercorr', 'afternotok', 'afterok', 'singleton'];

export const HINT_VALUES = ['compute_bound', 'memory_bound', 'multithread', 'nomultithread', 'help'];

export const GRES_FLAGS = ['disable-binding', 'enforce-binding', 'allow-task-sharing', 'multiple-tasks-per-sharing', 'one-task-per-sharing'];

export const PROFILE_VALUES = ['all', 'none', 'energy', 'task', 'lustre', 'network'];

export const RLIMIT_NAMES = ['ALL', 'NONE', 'AS', 'CORE', 'CPU', 'DATA', 'FSIZE', 'MEMLOCK', 'NOFILE', 'NPROC', 'RSS', 'STACK'];

const o = (
  long: string,
  short: string | undefined,
  arg: OptionArg,
  valueKind: string,
  placeholder: string,
  env: string | undefined,
  description: string,
  extra: Partial<SbatchOption> = {},
): SbatchOption => ({ long, ...(short ? { short } : {}), arg, valueKind, placeholder, ...(env ? { env } : {}), description, ...extra });

export const OPTIONS: readonly SbatchOption[] = [
  o('account', 'A', 'required', 'account', '<account>', 'SBATCH_ACCOUNT',
    'Bank account that the resources used by the job are charged to. Sites with accounting often require it; the name can be changed later with scontrol.'),
  o('acctg-freq', undefined, 'required', 'acctgFreq', '<datatype>=<interval>[,<datatype>=<interval>...]', 'SBATCH_ACCTG_FREQ',
    'How often (in seconds) the accounting and profiling plugins sample the job: task=, energy=, network=, filesystem=. 0 disables periodic sampling of that kind; the task interval also drives memory-limit enforcement.',
    { values: ['task=', 'energy=', 'network=', 'filesystem='] }),
  o('array', 'a', 'required', 'array', '<indexes>[%<max running>]', 'SBATCH_ARRAY_INX',
    'Submit a job array: one job per index. Indexes are a comma list of numbers and ranges with an optional step (0-15:4), and a trailing %N caps how many tasks run at once. Each task sees SLURM_ARRAY_TASK_ID.'),
  o('batch', undefined, 'required', 'featureList', '<list>', 'SBATCH_BATCH',
    'Node features that the node running the batch script itself must have (a subset of --constraint). Only plain feature names joined by & are allowed.'),
  o('bb', undefined, 'required', 'string', '<spec>', 'SBATCH_BURST_BUFFER',
    'Burst buffer specification for the job; its syntax depends on the burst buffer plugin configured on the cluster.'),
  o('bbf', undefined, 'required', 'filename', '<file_name>', undefined,
    'A file holding the burst buffer specification, read by sbatch at submission.'),
  o('begin', 'b', 'required', 'begin', 'HH:MM[:SS] | YYYY-MM-DD[THH:MM[:SS]] | now+N[units] | today | tomorrow', undefined,
    'Do not start the job before this time. Accepts a time of day, a date (YYYY-MM-DD, MM/DD[/YY], MMDD[YY]) with an optional time, relative times like now+1hour, and the words midnight, noon, fika, teatime, elevenses, today, tomorrow.',
    { values: ['now+1hour', 'midnight', 'noon', 'teatime', 'tomorrow', 'today'] }),
  o('chdir', 'D', 'required', 'directory', '<directory>', undefined,
    'Working directory of the batch script before it starts; relative output and error paths are resolved against it. A relative directory is taken from where sbatch is run. Formerly --workdir.'),
  o('cluster-constraint', undefined, 'required', 'string', '[!]<list>', 'SBATCH_CLUSTER_CONSTRAINT',
    'In a federation, only run on clusters that have (or, with a leading !, lack) the listed cluster features.'),
  o('clusters', 'M', 'required', 'clusterList', '<string>', 'SBATCH_CLUSTERS',
    'Submit to one of these clusters (comma list, or "all"); Slurm picks the one that can start the job earliest. Needs slurmdbd.',
    { aliases: ['cluster'] }),
  o('comment', undefined, 'required', 'string', '<string>', undefined,
    'A free-form comment stored with the job; quote it if it contains spaces.'),
  o('constraint', 'C', 'required', 'constraint', '<list>', 'SBATCH_CONSTRAINT',
    'Node features the job needs. Combine names with & (and), | (or), [a|b] (all nodes the same one of them), counts like a*2, and parentheses. Features come from the node configuration (AvailableFeatures).'),
  o('container', undefined, 'required', 'path', '<path_to_container>', 'SBATCH_CONTAINER',
    'Path to an OCI container bundle in which the job runs.'),
  o('consolidate-segments', undefined, 'none', 'none', '', undefined,
    'With the block topology, keep the job\'s segments together in as few base blocks as possible (the opposite of --spread-segments).',
    { since: '26.05', sinceAfter: '24.11' }),
  o('container-id', undefined, 'required', 'string', '<container_id>', 'SBATCH_CONTAINER_ID',
    'Identifier to give the OCI container the job runs in.', { since: '23.02' }),
  o('container-type', undefined, 'required', 'string', '<type>', undefined,
    'Type of the OCI container the job runs in, as the site\'s container configuration names them.',
    { since: '26.05', sinceAfter: '24.11' }),
  o('contiguous', undefined, 'none', 'none', '', undefined,
    'The allocated nodes must form a contiguous range. Not honoured by every topology or select plugin.'),
  o('core-spec', 'S', 'required', 'integer0', '<num>', 'SBATCH_CORE_SPEC',
    'Number of cores per node reserved for system use (core specialization), not available to the job. Cannot be combined with --thread-spec.'),
  o('cores-per-socket', undefined, 'required', 'count', '<cores>', undefined,
    'Only use nodes with at least this many cores per socket.'),
  o('cpu-freq', undefined, 'required', 'cpuFreq', '<p1>[-p2[:p3]]', 'SBATCH_CPU_FREQ_REQ',
    'Requested CPU frequency for the job steps: a value in kHz, a range, or low, medium, high, highm1, with an optional governor (Conservative, OnDemand, Performance, PowerSave, UserSpace, SchedUtil).',
    { values: ['low', 'medium', 'high', 'highm1', 'Conservative', 'OnDemand', 'Performance', 'PowerSave', 'UserSpace', 'SchedUtil'] }),
  o('cpus-per-gpu', undefined, 'required', 'count', '<ncpus>', 'SBATCH_CPUS_PER_GPU',
    'Number of CPUs allocated with every GPU. Not compatible with --cpus-per-task.'),
  o('cpus-per-task', 'c', 'required', 'count', '<ncpus>', undefined,
    'CPUs given to each task, e.g. OpenMP threads per MPI rank. Without it each task gets one CPU. Since 22.05 srun no longer inherits it from the job: set SRUN_CPUS_PER_TASK or pass -c to srun.'),
  o('deadline', undefined, 'required', 'begin', '<time>', undefined,
    'Remove the job if it cannot finish before this time. Same time grammar as --begin.'),
  o('delay-boot', undefined, 'required', 'time', '<minutes>', 'SBATCH_DELAY_BOOT',
    'Do not reboot nodes to satisfy a feature request until the job has waited this long.'),
  o('dependency', 'd', 'required', 'dependency', '<type:job_id[:job_id]...>[,|?<type:job_id>...]', undefined,
    'Start the job only after other jobs reach a state: after, afterany, afterok, afternotok, aftercorr, afterburstbuffer (each followed by :jobid...), or singleton. Join conditions with , (all must hold) or ? (any may hold), not both.',
    { values: ['afterok:', 'afterany:', 'afternotok:', 'after:', 'aftercorr:', 'afterburstbuffer:', 'singleton'] }),
  o('distribution', 'm', 'required', 'distribution', '{*|block|cyclic|arbitrary|plane=<size>}[:{*|block|cyclic|fcyclic}[:{*|block|cyclic|fcyclic}]][,{Pack|NoPack}]', 'SBATCH_DISTRIBUTION',
    'How tasks are laid out over nodes, then over sockets and cores: block, cyclic, plane=N, arbitrary; second and third levels block, cyclic, fcyclic; optional ,Pack or ,NoPack.',
    { values: ['block', 'cyclic', 'arbitrary', 'plane=', 'block:block', 'block:cyclic', 'cyclic:cyclic', 'cyclic:block'] }),
  o('error', 'e', 'required', 'filename', '<filename_pattern>', 'SBATCH_ERROR',
    'File for the batch script\'s standard error. Default: the same file as standard output. May contain % patterns such as %j (job id) and %x (job name). Slurm does not create missing directories: the job fails.'),
  o('exclude', 'x', 'required', 'nodelist', '<node_name_list>', undefined,
    'Never place the job on these nodes (host list like n[1-3],gpu7, or a file name containing a /).'),
  o('exclusive', undefined, 'optional', 'exclusive', '[={user|mcs}]', 'SBATCH_EXCLUSIVE',
    'Do not share the allocated nodes with other jobs (or, with =user, only with your own jobs; =mcs, only with jobs of the same MCS label). The job then gets all CPUs of its nodes; memory stays what was requested unless --mem=0.',
    { values: ['user', 'mcs'] }),
  o('export', undefined, 'required', 'export', '{[ALL,]<environment_variables>|ALL|NONE}', 'SBATCH_EXPORT',
    'Which environment variables of the submitting shell are passed to the job: ALL (default), NONE, or a comma list of NAME or NAME=value, optionally after ALL,. With NONE the job starts with a clean environment and srun inside may misbehave.',
    { values: ['ALL', 'NONE'] }),
  o('export-file', undefined, 'required', 'filename', '{<filename>|<fd>}', undefined,
    'Read extra environment variables (NUL-separated NAME=value) from a file or an open file descriptor.'),
  o('extra', undefined, 'required', 'string', '<string>', 'SBATCH_EXTRA',
    'Arbitrary string stored with the job, usable in node-selection expressions by sites that configure it.', { since: '23.02' }),
  o('extra-node-info', 'B', 'required', 'extraNodeInfo', '<sockets>[:cores[:threads]]', undefined,
    'Only use nodes with at least this many sockets, cores per socket and threads per core (each may be * for any). Shorthand for --sockets-per-node, --cores-per-socket and --threads-per-core.'),
  o('get-user-env', undefined, 'optional', 'getUserEnv', '[=timeout][mode]', 'SBATCH_GET_USER_ENV',
    'Load the login environment of the user on the compute side (root or SlurmUser only, used by schedulers like Moab). Optional timeout in seconds and S or L for short or long login (until 25.x; 26.05 takes no value).',
    { argChanges: [{ since: '26.05', arg: 'none' }] }),
  o('gid', undefined, 'required', 'string', '<group>', undefined,
    'Run the job under this group (only when sbatch is run by root).'),
  o('gpu-bind', undefined, 'required', 'gpuBind', '[verbose,]<type>', 'SBATCH_GPU_BIND',
    'Bind tasks to GPUs: closest, single:<tasks_per_gpu>, map_gpu:<list>, mask_gpu:<list>, none, per_task:<gpus_per_task>, optionally prefixed with verbose,.',
    { values: ['closest', 'single:', 'map_gpu:', 'mask_gpu:', 'none', 'per_task:', 'verbose,'] }),
  o('gpu-freq', undefined, 'required', 'gpuFreq', '[<type]=value>[,<type=value>][,verbose]', 'SBATCH_GPU_FREQ',
    'Requested GPU (and memory) frequency: low, medium, high, highm1 or a value in MHz, optionally as memory=... and with ,verbose.',
    { values: ['low', 'medium', 'high', 'highm1', 'memory=', 'verbose'] }),
  o('gpus', 'G', 'required', 'gpuCount', '[type:]<number>', 'SBATCH_GPUS',
    'Total number of GPUs for the job, optionally of a type (a100:4). Needs select/cons_tres.'),
  o('gpus-per-node', undefined, 'required', 'gpuCount', '[type:]<number>', 'SBATCH_GPUS_PER_NODE',
    'GPUs on every allocated node, optionally of a type.'),
  o('gpus-per-socket', undefined, 'required', 'gpuCount', '[type:]<number>', 'SBATCH_GPUS_PER_SOCKET',
    'GPUs per allocated socket; needs --sockets-per-node.'),
  o('gpus-per-task', undefined, 'required', 'gpuCount', '[type:]<number>', 'SBATCH_GPUS_PER_TASK',
    'GPUs for every task; needs a task count (-n) or --gpus.'),
  o('gres', undefined, 'required', 'gres', '<name>[[:type]:count][,...]', 'SBATCH_GRES',
    'Generic resources per node, e.g. gpu:2 or gpu:a100:1; a comma list, or "none". The names must be configured (GresTypes, gres.conf).'),
  o('gres-flags', undefined, 'required', 'gresFlags', '<type>', 'SBATCH_GRES_FLAGS',
    'How GRES are tied to CPUs and shared between tasks: disable-binding, enforce-binding, and in newer Slurm allow-task-sharing, multiple-tasks-per-sharing, one-task-per-sharing.',
    { values: GRES_FLAGS }),
  o('help', 'h', 'none', 'none', '', undefined, 'Print the help text and exit (command line).', { commandLineOnly: true }),
  o('hint', undefined, 'required', 'hint', '<type>', 'SBATCH_HINT',
    'Let Slurm choose the CPU layout for the application: compute_bound, memory_bound, multithread, nomultithread. Conflicts with --ntasks-per-core, --threads-per-core and -B.',
    { values: HINT_VALUES }),
  o('hold', 'H', 'none', 'none', '', undefined,
    'Submit the job held (priority 0); release it with scontrol release.'),
  o('ignore-pbs', undefined, 'none', 'none', '', 'SBATCH_IGNORE_PBS',
    'Do not read #PBS directives in the script (sbatch reads them by default).'),
  o('input', 'i', 'required', 'filename', '<filename_pattern>', 'SBATCH_INPUT',
    'File connected to the standard input of the batch script (default /dev/null). % patterns allowed.'),
  o('job-name', 'J', 'required', 'string', '<jobname>', 'SBATCH_JOB_NAME',
    'Name of the job shown by squeue and available as %x in file names. Default: the script\'s file name.'),
  o('kill-on-invalid-dep', undefined, 'required', 'yesNo', '<yes|no>', undefined,
    'Cancel the job if its dependency can never be met (yes) or leave it pending with reason DependencyNeverSatisfied (no).',
    { values: ['yes', 'no'] }),
  o('licenses', 'L', 'required', 'licenses', '<license>[@db][:count][,...]', undefined,
    'Licenses (or other cluster-wide resources) that must be available, e.g. matlab:2. Join with , for all, | for any.'),
  o('mail-type', undefined, 'required', 'mailType', '<type>[,<type>...]', undefined,
    'Events that send mail to --mail-user: NONE, BEGIN, END, FAIL, REQUEUE, ALL, INVALID_DEPEND, STAGE_OUT, TIME_LIMIT, TIME_LIMIT_90/80/50, ARRAY_TASKS (one mail per array task).',
    { values: MAIL_TYPES }),
  o('mail-user', undefined, 'required', 'string', '<user>', undefined,
    'Where notification mail goes; default the submitting user.'),
  o('mcs-label', undefined, 'required', 'string', '<mcs>', undefined,
    'MCS label of the job, used with the mcs plugin (group based labels).'),
  o('mem', undefined, 'required', 'memory', '<size>[K|M|G|T]', 'SBATCH_MEM_PER_NODE',
    'Real memory per node. Default unit megabytes; suffixes K, M, G, T. --mem=0 asks for all memory of each node. Mutually exclusive with --mem-per-cpu and --mem-per-gpu.'),
  o('mem-bind', undefined, 'required', 'memBind', '[{quiet|verbose},]<type>', 'SBATCH_MEM_BIND',
    'NUMA memory binding of tasks: none, rank, local, map_mem:<list>, mask_mem:<list>, prefer, sort, nosort, with quiet or verbose. Needs the task/affinity plugin.',
    { values: ['none', 'rank', 'local', 'map_mem:', 'mask_mem:', 'prefer', 'sort', 'nosort', 'quiet', 'verbose', 'help'] }),
  o('mem-per-cpu', undefined, 'required', 'memory', '<size>[K|M|G|T]', 'SBATCH_MEM_PER_CPU',
    'Memory per allocated CPU (units as --mem). Mutually exclusive with --mem and --mem-per-gpu.'),
  o('mem-per-gpu', undefined, 'required', 'memory', '<size>[K|M|G|T]', 'SBATCH_MEM_PER_GPU',
    'Memory per allocated GPU (units as --mem). Mutually exclusive with --mem and --mem-per-cpu.'),
  o('mem-update', undefined, 'required', 'string', '<value>', undefined,
    'Accepted with a value by sbatch 26.05, which does not document it in --help; left to the site\'s documentation.',
    { since: '26.05', sinceAfter: '24.11' }),
  o('mincpus', undefined, 'required', 'count', '<n>', undefined,
    'Only use nodes with at least this many logical CPUs.'),
  o('network', undefined, 'required', 'string', '<type>', 'SBATCH_NETWORK',
    'Network (switch) resources for the job, interpreted by the switch plugin (e.g. Cray/HPE Slingshot).'),
  o('nice', undefined, 'optional', 'nice', '[=adjustment]', undefined,
    'Lower the job\'s priority by this amount (default 100). Only privileged users may give a negative adjustment.'),
  o('no-kill', 'k', 'optional', 'noKill', '[=off]', 'SBATCH_NO_KILL',
    'Keep the job running if one of its nodes fails (the job must then cope). --no-kill=off restores the default.',
    { values: ['off'] }),
  o('no-requeue', undefined, 'none', 'none', '', 'SBATCH_NO_REQUEUE',
    'Never requeue the job, e.g. after a node failure or preemption.'),
  o('nodefile', 'F', 'required', 'filename', '<node_file>', undefined,
    'Like --nodelist, but the host list is read from a file.'),
  o('nodelist', 'w', 'required', 'nodelist', '<node_name_list>', undefined,
    'Nodes the job must include (host list like n[1-4],gpu1, or a file name containing a /). More nodes may be added to meet the node count.'),
  o('nodes', 'N', 'required', 'nodeCount', '<minnodes>[-maxnodes]', undefined,
    'Number of nodes, or a range min-max. Default: enough nodes for the tasks and CPUs requested.'),
  o('ntasks', 'n', 'required', 'count', '<number>', undefined,
    'Number of tasks (e.g. MPI ranks) the job will launch with srun. Default one per node.',
    { aliases: ['tasks'] }),
  o('ntasks-per-core', undefined, 'required', 'count', '<ntasks>', undefined,
    'At most this many tasks on each core.'),
  o('ntasks-per-gpu', undefined, 'required', 'count', '<ntasks>', undefined,
    'Tasks for every allocated GPU; needs a GPU request or a node/task count.'),
  o('ntasks-per-node', undefined, 'required', 'count', '<ntasks>', undefined,
    'Tasks on every node; with -N gives the total. Combined with -n it is a maximum per node.',
    { aliases: ['tasks-per-node'] }),
  o('ntasks-per-socket', undefined, 'required', 'count', '<ntasks>', undefined,
    'At most this many tasks on each socket.'),
  o('oom-kill-step', undefined, 'optional', 'zeroOne', '[={0|1}]', 'SBATCH_OOM_KILL_STEP',
    'Whether one out-of-memory event kills the whole step (1) or not (0).', { since: '24.11', values: ['0', '1'] }),
  o('open-mode', undefined, 'required', 'openMode', '{append|truncate}', 'SBATCH_OPEN_MODE',
    'Whether the output and error files are appended to or truncated when the job starts (also after a requeue). Default from JobFileAppend.',
    { values: ['append', 'truncate'] }),
  o('output', 'o', 'required', 'filename', '<filename_pattern>', 'SBATCH_OUTPUT',
    'File for the batch script\'s standard output (and error, unless --error is given). Default slurm-%j.out (slurm-%A_%a.out for arrays). Relative to --chdir. Slurm does not create missing directories: the job fails.'),
  o('overcommit', 'O', 'none', 'none', '', 'SBATCH_OVERCOMMIT',
    'Allow more tasks than CPUs: one CPU per node, or per task count, is enough.'),
  o('oversubscribe', 's', 'none', 'none', '', undefined,
    'Let the job share its resources with other jobs, as the partition\'s OverSubscribe setting permits. Formerly --share.'),
  o('parsable', undefined, 'none', 'none', '', undefined,
    'Print only the job id (and cluster name) on success (command line).', { commandLineOnly: true }),
  o('partition', 'p', 'required', 'partition', '<partition_names>', 'SBATCH_PARTITION',
    'Partition (queue) to run in; a comma list lets Slurm pick the one that starts the job first. Default: the cluster\'s default partition.'),
  o('power', undefined, 'required', 'power', '<flags>', 'SBATCH_POWER',
    'Power management flags (comma list); level requests the same power cap on all nodes. Gone with the power plugins in 24.11 (its --help still lists it).',
    { values: ['level'], removed: '24.11' }),
  o('prefer', undefined, 'required', 'constraint', '<list>', undefined,
    'Preferred node features: like --constraint, but Slurm falls back to other nodes when none is available. Same grammar as --constraint.'),
  o('priority', undefined, 'required', 'priority', '<value>', undefined,
    'Set the job\'s priority (operators and administrators only); TOP moves it ahead of the user\'s other jobs.'),
  o('profile', undefined, 'required', 'profile', '{all|none|<type>[,<type>...]}', 'SBATCH_PROFILE',
    'Detailed profiling (HDF5) with acct_gather_profile: all, none, or energy, task, lustre, network.',
    { values: PROFILE_VALUES }),
  o('propagate', undefined, 'optional', 'propagate', '[=rlimit[,rlimit...]]', undefined,
    'Which resource limits (ulimits) of the submitting shell are copied to the job: ALL, NONE, or AS, CORE, CPU, DATA, FSIZE, MEMLOCK, NOFILE, NPROC, RSS, STACK.',
    { values: RLIMIT_NAMES }),
  o('qos', 'q', 'required', 'qos', '<qos>', 'SBATCH_QOS',
    'Quality of service for the job; sets limits and priority according to the site\'s QOS definitions.'),
  o('quiet', 'Q', 'none', 'none', '', undefined,
    'Suppress informational messages from sbatch; errors are still shown.'),
  o('reboot', undefined, 'none', 'none', '', undefined,
    'Reboot the allocated nodes before the job starts (only if the administrator allows it).'),
  o('requeue', undefined, 'none', 'none', '', 'SBATCH_REQUEUE',
    'Allow the job to be requeued (restarted from the beginning) after node failure or preemption. From 26.05 it takes an optional value, =expedite.',
    { argChanges: [{ since: '26.05', arg: 'optional' }], values: ['expedite'] }),
  o('resources', undefined, 'required', 'string', '<value>', undefined,
    'Accepted with a value by sbatch 26.05, which does not document it in --help; left to the site\'s documentation.',
    { since: '26.05', sinceAfter: '24.11' }),
  o('resv-ports', undefined, 'optional', 'count', '[=count]', undefined,
    'Reserve communication ports for the job\'s steps (from the MpiParams port range), optionally how many; older sbatch only had it on srun.',
    { since: '24.11', sinceAfter: '22.05' }),
  o('reservation', undefined, 'required', 'string', '<reservation_names>', 'SBATCH_RESERVATION',
    'Run inside an advanced reservation (comma list of names allowed).'),
  o('segment', undefined, 'required', 'count', '<segment_size>', 'SBATCH_SEGMENT_SIZE',
    'With the block topology, the number of nodes that must be placed within one block segment.', { since: '24.11', sinceAfter: '22.05' }),
  o('signal', undefined, 'required', 'signal', '[{R|B}:]<sig_num>[@sig_time]', 'SBATCH_SIGNAL',
    'Send a signal this many seconds (default 60, at most 65535) before the time limit. B: sends it to the batch shell only, R: allows it on reservation end. The signal is a number or a name like USR1 or SIGTERM.'),
  o('sockets-per-node', undefined, 'required', 'count', '<sockets>', undefined,
    'Only use nodes with at least this many sockets.'),
  o('spread-segments', undefined, 'none', 'none', '', undefined,
    'With the block topology, spread the job\'s segments across separate base blocks.',
    { since: '26.05', sinceAfter: '24.11' }),
  o('spread-job', undefined, 'none', 'none', '', 'SBATCH_SPREAD_JOB',
    'Spread the job over as many nodes as possible.'),
  o('stepmgr', undefined, 'none', 'none', '', undefined,
    'Let a step manager on the job\'s first node manage its steps instead of slurmctld.', { since: '24.05' }),
  o('switches', undefined, 'required', 'switches', '<count>[@max-time]', 'SBATCH_REQ_SWITCH',
    'Wanted maximum number of leaf switches for the job, and how long to wait for it.'),
  o('test-only', undefined, 'none', 'none', '', undefined,
    'Only check the job and report when it would start; nothing is submitted (command line).', { commandLineOnly: true }),
  o('thread-spec', undefined, 'required', 'integer0', '<num>', 'SBATCH_THREAD_SPEC',
    'Number of threads per node reserved for system use. Cannot be combined with --core-spec.'),
  o('threads-per-core', undefined, 'required', 'count', '<threads>', 'SBATCH_THREADS_PER_CORE',
    'Only use nodes with at least this many threads per core; for tasks, the number of hardware threads used per core.'),
  o('time', 't', 'required', 'time', '[[DD-]HH:]MM[:SS]', 'SBATCH_TIMELIMIT',
    'Wall-clock time limit. Forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S; 0, INFINITE or UNLIMITED for none. A limit above the partition\'s MaxTime leaves the job pending forever (PartitionTimeLimit).',
    { values: ['00:30:00', '01:00:00', '1-00:00:00'] }),
  o('time-min', undefined, 'required', 'time', '[[DD-]HH:]MM[:SS]', undefined,
    'Minimum acceptable time limit: the scheduler may start the job earlier with any limit between this and --time (backfill).'),
  o('tmp', undefined, 'required', 'memory', '<size>[K|M|G|T]', undefined,
    'Only use nodes with at least this much temporary disk space (TmpDisk). Default unit megabytes.'),
  o('tres-bind', undefined, 'required', 'string', '<tres>:[verbose,]<type>[+...]', 'SBATCH_TRES_BIND',
    'Bind tasks to trackable resources, e.g. gres/gpu:closest.', { since: '24.05' }),
  o('tres-per-task', undefined, 'required', 'tres', '<tres>=<count>[,...]', 'SBATCH_TRES_PER_TASK',
    'Trackable resources for every task, e.g. cpu=4,gres/gpu:a100=1.', { since: '23.02' }),
  o('uid', undefined, 'required', 'string', '<user>', undefined,
    'Submit the job as another user (only when sbatch is run by root).'),
  o('usage', undefined, 'none', 'none', '', undefined, 'Print a short usage message and exit (command line).', { commandLineOnly: true }),
  o('use-min-nodes', undefined, 'none', 'none', '', 'SBATCH_USE_MIN_NODES',
    'When a node range is given, prefer the smaller count.'),
  o('verbose', 'v', 'none', 'none', '', 'SBATCH_DEBUG',
    'More messages from sbatch; repeat for more.'),
  o('version', 'V', 'none', 'none', '', undefined, 'Print the Slurm version and exit (command line).', { commandLineOnly: true }),
  o('wait', 'W', 'none', 'none', '', 'SBATCH_WAIT',
    'sbatch does not return until the job ends; its exit code is the job\'s.'),
  o('wait-all-nodes', undefined, 'required', 'zeroOne', '<value>', 'SBATCH_WAIT_ALL_NODES',
    '1 starts the script only when all nodes are booted and ready, 0 as soon as they are allocated.',
    { values: ['0', '1'] }),
  o('wckey', undefined, 'required', 'string', '<wckey>', 'SBATCH_WCKEY',
    'Workload characterization key for accounting.'),
  o('wrap', undefined, 'required', 'string', '<command_string>', undefined,
    'Submit this command line wrapped in a sh script instead of a script file (command line).', { commandLineOnly: true }),
  // Renamed or removed options: sbatch of the listed version rejects them.
  o('workdir', undefined, 'required', 'directory', '<directory>', undefined,
    'Old name of --chdir.', { deprecated: { since: '17.11', replacement: 'chdir' }, removed: '19.05' }),
  o('share', undefined, 'none', 'none', '', undefined,
    'Old name of --oversubscribe.', { deprecated: { since: '16.05', replacement: 'oversubscribe' }, removed: '20.11' }),
  o('checkpoint', undefined, 'required', 'time', '<time>', undefined,
    'Checkpoint interval; checkpoint support was removed from Slurm.', { deprecated: { since: '19.05', note: 'checkpointing was removed from Slurm' }, removed: '20.11' }),
  o('checkpoint-dir', undefined, 'required', 'directory', '<directory>', undefined,
    'Checkpoint directory; checkpoint support was removed from Slurm.', { deprecated: { since: '19.05', note: 'checkpointing was removed from Slurm' }, removed: '20.11' }),
  o('mem_bind', undefined, 'required', 'memBind', '[{quiet|verbose},]<type>', undefined,
    'Old spelling of --mem-bind.', { deprecated: { replacement: 'mem-bind' }, removed: '20.11' }),
];

/** Options that belong to srun/salloc but not sbatch: a helpful message instead of "unknown". */
export const NON_SBATCH_OPTIONS: Record<string, string> = {
  'cpu-bind': 'srun', cpu_bind: 'srun', pty: 'srun', 'multi-prog': 'srun', mpi: 'srun', label: 'srun', overlap: 'srun',
  x11: 'srun/salloc', immediate: 'srun/salloc', jobid: 'srun', 'task-prolog': 'srun',
  'task-epilog': 'srun', unbuffered: 'srun', 'kill-on-bad-exit': 'srun', 'no-shell': 'salloc', bell: 'salloc',
};

const byLong = new Map<string, SbatchOption>();
const byShort = new Map<string, SbatchOption>();
for (const opt of OPTIONS) {
  byLong.set(opt.long, opt);
  for (const a of opt.aliases ?? []) byLong.set(a, opt);
  if (opt.short) byShort.set(opt.short, opt);
}

/** All long names sbatch accepts (canonical and aliases), for prefix matching and did-you-mean. */
export const LONG_NAMES: readonly string[] = [...byLong.keys()];

/**
 * Looks up an option by long name (without dashes, an alias is fine) or short letter.
 * Leading dashes are tolerated. Exact names only; see `resolveLongOption` for getopt prefixes.
 */
export function findOption(name: string): SbatchOption | undefined {
  const bare = name.replace(/^-+/, '');
  if (bare.length === 1 && !name.startsWith('--')) return byShort.get(bare);
  return byLong.get(bare);
}

export type LongResolution =
  | { kind: 'exact'; option: SbatchOption; name: string }
  | { kind: 'prefix'; option: SbatchOption; name: string }
  | { kind: 'ambiguous'; candidates: string[] }
  | { kind: 'unknown' };

/**
 * Resolves a long option name like getopt_long does: an exact name wins, otherwise a unique
 * prefix of a name is accepted (`--part` means `--partition`), several matches are ambiguous.
 * Options removed before `slurmVersion` are still resolved (the linter reports them).
 */
export function resolveLongOption(name: string, slurmVersion?: string): LongResolution {
  const exact = byLong.get(name);
  if (exact) return { kind: 'exact', option: exact, name };
  if (!name) return { kind: 'unknown' };
  const hits = new Map<SbatchOption, string>();
  for (const [n, opt] of byLong) {
    if (opt.removed || !n.startsWith(name)) continue;
    if (slurmVersion && opt.since && compareSlurmVersions(opt.since, slurmVersion) > 0) continue;
    if (!hits.has(opt)) hits.set(opt, n);
  }
  if (hits.size === 1) {
    const [[option, full]] = [...hits.entries()];
    return { kind: 'prefix', option, name: full };
  }
  if (hits.size > 1) return { kind: 'ambiguous', candidates: [...hits.values()].sort() };
  return { kind: 'unknown' };
}

export interface FilenamePattern {
  pattern: string;
  description: string;
}

/** Replacement symbols sbatch expands in --output, --error and --input. */
export const FILENAME_PATTERNS: readonly FilenamePattern[] = [
  { pattern: '\\\\', description: 'Stop processing replacement symbols: the name is used literally.' },
  { pattern: '%%', description: 'A literal %.' },
  { pattern: '%A', description: 'Job array\'s master job id.' },
  { pattern: '%a', description: 'Job array task id (index).' },
  { pattern: '%J', description: 'Job id and step id (jobid.stepid); for the batch script, the job id.' },
  { pattern: '%j', description: 'Job id of the running job.' },
  { pattern: '%N', description: 'Short host name of the first node of the job.' },
  { pattern: '%n', description: 'Node number relative to the job (0 for the batch script).' },
  { pattern: '%s', description: 'Step id of the running step ("batch" for the batch script).' },
  { pattern: '%t', description: 'Task id (rank) relative to the step.' },
  { pattern: '%u', description: 'User name.' },
  { pattern: '%x', description: 'Job name.' },
  { pattern: '%b', description: 'Job array task id modulo 10 (newer Slurm).' },
];

/** Letters valid after % (optionally with a zero-padding width, e.g. %4a). */
export const FILENAME_PATTERN_LETTERS = 'AaJjNnstuxb%';

/**
 * The Slurm releases the catalogue is recorded against (a sandbox runs each); the oldest is the
 * floor below which nothing is promised. Without a cluster snapshot the linter accepts whatever
 * one of them accepts.
 */
export const SUPPORTED_SLURM_VERSIONS = ['22.05', '24.11', '26.05'] as const;
export const OLDEST_SUPPORTED_SLURM = SUPPORTED_SLURM_VERSIONS[0];

/** Whether the option takes a value in that Slurm version (the oldest kind when none is given). */
export function optionArg(opt: SbatchOption, slurmVersion?: string): OptionArg {
  let arg = opt.arg;
  if (!slurmVersion) return arg;
  for (const c of opt.argChanges ?? []) if (compareSlurmVersions(slurmVersion, c.since) >= 0) arg = c.arg;
  return arg;
}

/** The argument kinds the option has across the supported versions (one for most options). */
export function optionArgKinds(opt: SbatchOption): OptionArg[] {
  return [...new Set([opt.arg, ...(opt.argChanges ?? []).map((c) => c.arg)])];
}

/**
 * Whether sbatch of that version has the option at all: not added later (`since`) and not
 * removed by then.
 */
export function optionExistsIn(opt: SbatchOption, slurmVersion: string): boolean {
  if (opt.since && compareSlurmVersions(opt.since, slurmVersion) > 0) return false;
  if (opt.removed && compareSlurmVersions(slurmVersion, opt.removed) >= 0) return false;
  return true;
}

/** Compares dotted Slurm versions ("22.05.8" vs "23.02"): negative, zero or positive. */
export function compareSlurmVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
