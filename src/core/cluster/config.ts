/** One entry of the `hpcWorkbench.clusters` setting (see PRODUCT.md). */
export interface ClusterConfig {
  name: string;
  /** Host name or ~/.ssh/config alias (ssh transport). */
  host?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  /** Default: ~/hpc-workbench/<workspace folder name>. */
  remoteDir?: string;
  transport?: 'ssh' | 'local';
  slurmConf?: string;
  /** Shell command that starts Jupyter Server on the login node (wins over hpcWorkbench.notebook.jupyterCommand). */
  jupyterCommand?: string;
}
