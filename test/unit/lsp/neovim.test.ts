/**
 * A second, independent LSP client: Neovim's built-in vim.lsp (headless) starts
 * `sbatch-language-server --stdio`, attaches to a script and receives our diagnostics.
 * Skipped when nvim is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serverPath } from './lspSession';

const haveNvim = spawnSync('nvim', ['--version'], { stdio: 'ignore' }).status === 0;

const LUA = `
local file, out = os.getenv('HPCW_FILE'), os.getenv('HPCW_OUT')
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'sbatch',
  cmd = { os.getenv('HPCW_NODE'), os.getenv('HPCW_SERVER'), '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
  init_options = { shellcheck = 'off' },
})
vim.lsp.buf_attach_client(bufnr, client_id)
local ok = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 100)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  table.insert(lines, string.format('%d:%d:%s:%s', d.lnum, d.col, tostring(code), d.source or ''))
end
if not ok then table.insert(lines, 'TIMEOUT') end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client_id)
vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd('qa!')
`;

test('Neovim attaches the server and shows its diagnostics', { skip: !haveNvim && 'nvim not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbatch-nvim-'));
  try {
    const file = path.join(dir, 'job.sbatch');
    const out = path.join(dir, 'diagnostics.txt');
    const script = path.join(dir, 'attach.lua');
    fs.writeFileSync(file, '#!/bin/bash\n#SBATCH --tiem=10\n#SBATCH -n 2\nsrun hostname\n');
    fs.writeFileSync(script, LUA);
    const r = spawnSync('nvim', ['--headless', '--clean', '-c', `luafile ${script}`], {
      env: { ...process.env, HPCW_FILE: file, HPCW_OUT: out, HPCW_NODE: process.execPath, HPCW_SERVER: serverPath, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
      timeout: 90_000,
      encoding: 'utf8',
    });
    assert.ok(fs.existsSync(out), `nvim wrote no result (status ${r.status}, ${r.stderr})`);
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.deepEqual(lines, ['1:8:unknown-option:sbatch']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
