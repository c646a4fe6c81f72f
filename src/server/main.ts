// PLACEHOLDER: the SBATCH language server (issue: language server).
console.error('sbatch-language-server: not built yet');
process.exit(2);
