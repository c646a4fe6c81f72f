/**
 * The Slurm notebook template (`hpcWorkbench.newSlurmNotebook`, and the sample notebook of the
 * demo workspace): look at the cluster, submit a job that writes a data file over ~30 s, watch the
 * queue, plot the file. Pure data; the extension turns it into a notebook.
 */

export interface TemplateCell {
  kind: 'markdown' | 'code';
  /** Cell language: `markdown`, `sbatch` (a `%%sbatch` cell, linted as a script), `python`. */
  language: string;
  source: string;
}

export const SAMPLE_JOB_SCRIPT = [
  '%%sbatch --job-name=sine --time=00:05:00 --output=sine-%j.out',
  '#!/bin/bash',
  '#SBATCH --ntasks=1',
  'echo "writing sine.csv on $(hostname)"',
  'rm -f sine.csv',
  'for i in $(seq 0 15); do',
  '  echo "$i,$(awk -v x="$i" \'BEGIN { print sin(x / 3) }\')" >> sine.csv',
  '  echo "step $i"',
  '  sleep 2',
  'done',
  'echo "done: $(wc -l < sine.csv) points"',
].join('\n');

export const SLURM_NOTEBOOK_TEMPLATE: readonly TemplateCell[] = [
  {
    kind: 'markdown',
    language: 'markdown',
    source: [
      '# A Slurm workflow in a notebook',
      '',
      'Choose the kernel **HPC Workbench: (your cluster)**. Cells of Slurm magics (`%sinfo`, `%squeue`, `%sacct`, `%scancel`,',
      '`%sbatch FILE`, `%scontrol`, `%sstat`) run the command on the cluster with the arguments as written.',
      'A `%%sbatch [options]` cell submits the rest of the cell as a batch script (after syncing the workspace) and follows',
      'the job live until it ends; interrupting the cell offers to cancel the job.',
      'Every other cell runs in a Python kernel on the login node (Jupyter Server, started over the same connection),',
      "in the workspace's remote folder, where the job writes its files: run the plot cell while the job runs, and again.",
    ].join('\n'),
  },
  { kind: 'code', language: 'python', source: '%sinfo' },
  { kind: 'code', language: 'sbatch', source: SAMPLE_JOB_SCRIPT },
  { kind: 'code', language: 'python', source: '%squeue --me' },
  {
    kind: 'code',
    language: 'python',
    source: [
      '# Runs on the login node: reads the file the job is writing (in the remote folder) and plots it.',
      '%matplotlib inline',
      'import csv',
      'import matplotlib.pyplot as plt',
      '',
      'with open("sine.csv") as f:',
      '    points = [(float(x), float(y)) for x, y in csv.reader(f)]',
      'plt.plot(*zip(*points), marker="o")',
      'plt.show()',
    ].join('\n'),
  },
];

/** The template as an .ipynb (nbformat 4) document, as VS Code's ipynb support writes it. */
export function templateIpynb(cells: readonly TemplateCell[] = SLURM_NOTEBOOK_TEMPLATE): string {
  const lines = (source: string): string[] => source.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
  const notebook = {
    cells: cells.map((c) =>
      c.kind === 'markdown'
        ? { cell_type: 'markdown', metadata: {}, source: lines(c.source) }
        : {
            cell_type: 'code',
            execution_count: null,
            metadata: c.language === 'python' ? {} : { vscode: { languageId: c.language } },
            outputs: [],
            source: lines(c.source),
          },
    ),
    metadata: { language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}
