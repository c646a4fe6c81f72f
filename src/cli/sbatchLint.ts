// PLACEHOLDER: sbatch-lint (issue: language server).
console.error('sbatch-lint: not built yet');
process.exit(2);
