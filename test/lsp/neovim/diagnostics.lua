-- Run by test/lsp/neovim.test.ts: headless neovim, its built-in LSP client attached to `almac lsp`,
-- opens a definition with a mistake and writes what vim.diagnostic.get() returns as JSON.
-- Environment: ALMAC_CLI (bin/almac.js), ALMAC_ROOT (project), ALMAC_FILE (file to open), ALMAC_OUT.
local cli, root, file, out = os.getenv('ALMAC_CLI'), os.getenv('ALMAC_ROOT'), os.getenv('ALMAC_FILE'), os.getenv('ALMAC_OUT')

local function finish(result)
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local client_id = vim.lsp.start_client({
  name = 'almac',
  cmd = { 'node', cli, 'lsp', '--stdio' },
  root_dir = root,
})
if not client_id then finish({ error = 'start_client failed' }) return end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
vim.bo.filetype = 'alma'
vim.lsp.buf_attach_client(0, client_id)

local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local diags = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(diags, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, severity = d.severity, message = d.message, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), source = d.source })
end
local client = vim.lsp.get_client_by_id(client_id)
finish({ ok = ok, diagnostics = diags, server = client and client.server_capabilities ~= nil })
