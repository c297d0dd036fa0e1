-- seedls for Neovim: filetype detection for seed documents and the language server setup.
--
-- Works with Neovim 0.7 and later, with or without nvim-lspconfig. Copy this file to
-- ~/.config/nvim/lua/seedls.lua and put in init.lua:
--
--   require("seedls").setup()                                   -- seedls on PATH
--   require("seedls").setup({ cmd = { "/path/to/target/release/seedls" } })
--   require("seedls").setup({ settings = { seedls = { diagnostics = { severity = {
--     ["citation-needed"] = "hint", ["heading-spacing"] = "off" } } } } })
--
-- With nvim-lspconfig, register it instead (see README.md):
--
--   require("lspconfig.configs").seedls = { default_config = require("seedls").lspconfig }
--   require("lspconfig").seedls.setup({})

local M = {}

--- Files that are seed documents: `*.seed`, and `*.txt` under a folder named `seeds`.
M.file_patterns = { "*.seed", "*/seeds/*.txt" }

--- The folder the server indexes: the nearest ancestor with a `.git`, else the file's folder.
function M.root_dir(file_name)
  local dir = vim.fn.fnamemodify(file_name, ":p:h")
  local probe = dir
  while probe ~= nil and probe ~= "" do
    if vim.loop.fs_stat(probe .. "/.git") then
      return probe
    end
    local parent = vim.fn.fnamemodify(probe, ":h")
    if parent == probe then
      break
    end
    probe = parent
  end
  return dir
end

local function init_options(settings)
  local seedls = (settings or {}).seedls or {}
  return { diagnostics = { severity = (seedls.diagnostics or {}).severity or {} } }
end

--- An nvim-lspconfig `default_config` for seedls.
M.lspconfig = {
  cmd = { "seedls" },
  filetypes = { "seed" },
  root_dir = function(file_name)
    return M.root_dir(file_name)
  end,
  single_file_support = true,
  settings = { seedls = { diagnostics = { severity = {} } } },
  init_options = init_options(nil),
}

--- Sets the `seed` filetype on seed documents.
function M.detect_filetype()
  if vim.filetype and vim.filetype.add and vim.fn.has("nvim-0.8") == 1 then
    vim.filetype.add({
      extension = { seed = "seed" },
      pattern = { [".*/seeds/.*%.txt"] = "seed" },
    })
  else
    -- Neovim 0.7 only reads vim.filetype.add rules with g:do_filetype_lua set.
    local group = vim.api.nvim_create_augroup("seedls_filetype", { clear = true })
    vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
      group = group,
      pattern = M.file_patterns,
      callback = function()
        vim.bo.filetype = "seed"
      end,
    })
  end
end

-- One client per root folder, for Neovim 0.7 (which has no vim.lsp.start).
local clients_by_root = {}

local function attach(buffer, config)
  local root = M.root_dir(vim.api.nvim_buf_get_name(buffer))
  if vim.lsp.start then
    return vim.lsp.start(vim.tbl_extend("force", config, { root_dir = root }), { bufnr = buffer })
  end
  local client_id = clients_by_root[root]
  if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
    client_id = vim.lsp.start_client(vim.tbl_extend("force", config, {
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    }))
    clients_by_root[root] = client_id
  end
  if client_id then
    vim.lsp.buf_attach_client(buffer, client_id)
  end
  return client_id
end

--- Detects seed documents and starts seedls for them.
--- opts: cmd, settings, handlers, capabilities, on_attach (all optional).
function M.setup(opts)
  opts = opts or {}
  M.detect_filetype()
  local settings = opts.settings or M.lspconfig.settings
  local config = {
    name = "seedls",
    cmd = opts.cmd or M.lspconfig.cmd,
    settings = settings,
    init_options = init_options(settings),
    handlers = opts.handlers,
    capabilities = opts.capabilities,
    on_attach = opts.on_attach,
  }
  local group = vim.api.nvim_create_augroup("seedls_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "seed",
    callback = function(args)
      attach(args.buf, config)
    end,
  })
end

return M
