-- End-to-end test of seedls in headless Neovim (0.7: UTF-16 positions only).
--
-- Loads editors/neovim/seedls.lua as a user would, opens seeds from a temp copy and
-- checks diagnostics, hover, definition, references, completion and rename through
-- Neovim's own LSP client. Run by tests/editors/run-neovim.sh, which sets:
--   SEEDLS_BIN            the server
--   SEEDLS_REPO           the repository (for editors/neovim/seedls.lua)
--   SEEDLS_NVIM_WORKSPACE the temp copy of seeds/
--   SEEDLS_NVIM_RESULTS   file that gets one line per check: "ok|FAIL<TAB>name<TAB>detail"

local BIN = assert(os.getenv("SEEDLS_BIN"), "SEEDLS_BIN")
local REPO = assert(os.getenv("SEEDLS_REPO"), "SEEDLS_REPO")
local WORKSPACE = assert(os.getenv("SEEDLS_NVIM_WORKSPACE"), "SEEDLS_NVIM_WORKSPACE")
local RESULTS = assert(os.getenv("SEEDLS_NVIM_RESULTS"), "SEEDLS_NVIM_RESULTS")

local KOSOVO = WORKSPACE .. "/000_8ceb6be1d3ab28f4.txt"
local BELGRADE = WORKSPACE .. "/001_3ec3ce2c3b425c2b.txt"
local LANC = WORKSPACE .. "/002_5962c10fed6a8e3b.txt"
local BAJGORA = WORKSPACE .. "/003_c6a9e84190caa186.txt"
local SERBIA = WORKSPACE .. "/004_5a4f246b0838a0a4.txt"

-- A request the server does not answer waits this long; keep it short enough that the
-- whole test stays well inside the runner's timeout.
local REQUEST_TIMEOUT = 8000

local results_file = assert(io.open(RESULTS, "w"))
local failures = 0

local function record(ok, name, detail)
  if not ok then
    failures = failures + 1
  end
  detail = tostring(detail or ""):gsub("[\r\n\t]+", " ")
  results_file:write(string.format("%s\t%s\t%s\n", ok and "ok" or "FAIL", name, detail))
  results_file:flush()
end

--- Runs one check: `body` returns a detail string, or errors with the reason.
local function check(name, body)
  local ok, detail = xpcall(body, function(message)
    return tostring(message):gsub("^[^:]*:%d+: ", "")
  end)
  record(ok, name, detail)
end

local function expect(condition, message)
  if not condition then
    error(message, 2)
  end
end

-- ---------------------------------------------------------------------------------
-- Helpers on top of Neovim's LSP client
-- ---------------------------------------------------------------------------------

local diagnostics_by_uri = {}
-- How many times diagnostics were published per URI, to wait for a fresh publish.
local publish_count = {}

-- The user's settings: one code raised, one silenced. They reach the server as
-- initializationOptions and through workspace/configuration.
local SEVERITY_AT_START = { ["heading-spacing"] = "error", ["citation-needed"] = "off" }
local progress = { begin = 0, report = 0, ["end"] = 0, titles = {} }

local function uri_of(path)
  return vim.uri_from_fname(path)
end

local function file_of(uri)
  return vim.uri_to_fname(uri)
end

local function short(path)
  return vim.fn.fnamemodify(path, ":t")
end

--- Opens a file the way a user does, so seedls.lua's autocmds set the filetype and attach.
local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buffer = vim.api.nvim_get_current_buf()
  return buffer
end

local function client_for(buffer)
  local found
  vim.lsp.for_each_buffer_client(buffer, function(client)
    if client.name == "seedls" then
      found = client
    end
  end)
  return found
end

--- Puts the cursor on the first `needle` (bytes) after `after` on 1-based line `line`.
local function put_cursor(buffer, line, needle, after)
  local text = vim.api.nvim_buf_get_lines(buffer, line - 1, line, true)[1]
  local from = 1
  if after then
    from = assert(text:find(after, 1, true), "no '" .. after .. "' on line " .. line)
  end
  local start = text:find(needle, from, true)
  expect(start ~= nil, string.format("'%s' not on line %d: %s", needle, line, text))
  vim.api.nvim_win_set_buf(0, buffer)
  -- One byte into the word: inside it whatever the encoding.
  vim.api.nvim_win_set_cursor(0, { line, start })
end

--- Position params for the cursor, in the client's encoding (UTF-16 on 0.7).
local function position_params()
  return vim.lsp.util.make_position_params()
end

--- Sends a request to seedls for `buffer` and returns its result or errors.
local function request(buffer, method, params)
  local responses, err = vim.lsp.buf_request_sync(buffer, method, params, REQUEST_TIMEOUT)
  expect(responses ~= nil, method .. ": " .. tostring(err or "no response"))
  for _, response in pairs(responses) do
    if response.error then
      error(method .. " answered an error: " .. vim.inspect(response.error), 2)
    end
    return response.result
  end
  error(method .. ": no client answered within " .. REQUEST_TIMEOUT .. " ms", 2)
end

--- The text a UTF-16 LSP range covers in a file on disk (or its loaded buffer).
local function range_text(uri, range)
  local path = file_of(uri)
  local lines
  local buffer = vim.fn.bufnr(path)
  if buffer ~= -1 and vim.api.nvim_buf_is_loaded(buffer) then
    lines = vim.api.nvim_buf_get_lines(buffer, 0, -1, false)
  else
    lines = vim.fn.readfile(path)
  end
  expect(range.start.line == range["end"].line, "range spans lines: " .. vim.inspect(range))
  local line = lines[range.start.line + 1] or ""
  local first = vim.str_byteindex(line, range.start.character, true)
  local last = vim.str_byteindex(line, range["end"].character, true)
  return line:sub(first + 1, last)
end

local function as_locations(result)
  if result == nil then
    return {}
  end
  if result.uri or result.targetUri then
    result = { result }
  end
  local locations = {}
  for _, item in ipairs(result) do
    table.insert(locations, {
      uri = item.uri or item.targetUri,
      range = item.range or item.targetSelectionRange or item.targetRange,
    })
  end
  return locations
end

local function hover_text(result)
  expect(result ~= nil, "no hover")
  local lines = vim.lsp.util.convert_input_to_markdown_lines(result.contents)
  return table.concat(lines, "\n")
end

local function completion_items(result)
  if result == nil then
    return {}
  end
  return result.items or result
end

local function find_item(items, label)
  for _, item in ipairs(items) do
    if item.label == label then
      return item
    end
  end
end

local function item_labels(items, limit)
  local labels = {}
  for i, item in ipairs(items) do
    if i > limit then
      table.insert(labels, "…")
      break
    end
    table.insert(labels, item.label)
  end
  return table.concat(labels, ", ")
end

local function codes_on(uri)
  local by_line = {}
  for _, d in ipairs(diagnostics_by_uri[uri] or {}) do
    local code = d.code and tostring(d.code) or "?"
    by_line[code] = by_line[code] or {}
    table.insert(by_line[code], d.range.start.line + 1)
  end
  return by_line
end

local function describe_codes(uri)
  local parts = {}
  for code, lines in pairs(codes_on(uri)) do
    table.insert(parts, code .. "@" .. table.concat(lines, ","))
  end
  table.sort(parts)
  return table.concat(parts, " ")
end

-- ---------------------------------------------------------------------------------
-- The checks
-- ---------------------------------------------------------------------------------

local function run()
  -- Buffers edited by one check stay open while the next opens another file.
  vim.o.hidden = true
  vim.lsp.set_log_level("warn")
  local seedls = dofile(REPO .. "/editors/neovim/seedls.lua")
  seedls.setup({
    cmd = { BIN },
    settings = { seedls = { diagnostics = { severity = SEVERITY_AT_START } } },
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
        diagnostics_by_uri[result.uri] = result.diagnostics
        publish_count[result.uri] = (publish_count[result.uri] or 0) + 1
        return vim.lsp.handlers["textDocument/publishDiagnostics"](err, result, ctx, config)
      end,
      ["$/progress"] = function(err, result, ctx, config)
        local value = result and result.value or {}
        if value.kind and progress[value.kind] then
          progress[value.kind] = progress[value.kind] + 1
          if value.title then
            table.insert(progress.titles, value.title)
          end
        end
        return vim.lsp.handlers["$/progress"](err, result, ctx, config)
      end,
    },
  })

  local kosovo = open(KOSOVO)

  check("seeds/*.txt gets filetype seed and seedls attaches", function()
    expect(vim.bo[kosovo].filetype == "seed", "filetype is '" .. vim.bo[kosovo].filetype .. "'")
    local attached = vim.wait(10000, function()
      local client = client_for(kosovo)
      return client ~= nil and client.initialized
    end, 50)
    expect(attached, "no initialized seedls client on the buffer within 10 s (see the LSP log)")
    return "filetype seed, client initialized"
  end)
  if client_for(kosovo) == nil then
    return
  end

  check("diagnostics on open: infobox-empty-value and heading-spacing in 000", function()
    local uri = uri_of(KOSOVO)
    local function has_both()
      local codes = codes_on(uri)
      return codes["infobox-empty-value"] ~= nil and codes["heading-spacing"] ~= nil
    end
    vim.wait(15000, has_both, 50)
    local codes = codes_on(uri)
    expect(has_both(), "diagnostics for 000: " .. (describe_codes(uri) ~= "" and describe_codes(uri) or "none"))
    expect(vim.tbl_contains(codes["infobox-empty-value"], 10), "infobox-empty-value not on line 10: " .. describe_codes(uri))
    expect(vim.tbl_contains(codes["heading-spacing"], 34), "heading-spacing not on line 34 (==Aftermath==): " .. describe_codes(uri))
    for _, d in ipairs(diagnostics_by_uri[uri]) do
      expect(d.source == "seedls", "a diagnostic's source is " .. tostring(d.source))
    end
    -- What Neovim itself shows: its diagnostic store has them too.
    expect(#vim.diagnostic.get(kosovo) > 0, "vim.diagnostic.get() is empty for 000")
    return describe_codes(uri)
  end)

  check("seedls.diagnostics.severity at start: heading-spacing raised to error", function()
    local uri = uri_of(KOSOVO)
    local severities = {}
    for _, d in ipairs(diagnostics_by_uri[uri] or {}) do
      if d.code == "heading-spacing" then
        table.insert(severities, d.severity)
      end
    end
    expect(#severities > 0, "no heading-spacing diagnostics in 000")
    for _, severity in ipairs(severities) do
      expect(severity == 1, "heading-spacing has severity " .. tostring(severity) .. ", not 1 (error)")
    end
    return #severities .. " heading-spacing error(s)"
  end)

  local belgrade_uri = uri_of(BELGRADE)
  local function citation_needed_severities()
    local severities = {}
    for _, d in ipairs(diagnostics_by_uri[belgrade_uri] or {}) do
      if d.code == "citation-needed" then
        table.insert(severities, d.severity)
      end
    end
    return severities
  end

  check("seedls.diagnostics.severity at start: citation-needed off in 001", function()
    open(BELGRADE)
    local published = vim.wait(15000, function()
      return (publish_count[belgrade_uri] or 0) > 0
    end, 50)
    expect(published, "no diagnostics published for 001")
    -- A second publish may follow the first (workspace diagnostics); give it a moment.
    vim.wait(500)
    local severities = citation_needed_severities()
    expect(#severities == 0, #severities .. " citation-needed diagnostic(s) in 001 though it is off")
    return describe_codes(belgrade_uri)
  end)

  check("workspace/didChangeConfiguration: citation-needed back as a hint", function()
    local client = client_for(vim.fn.bufnr(BELGRADE))
    expect(client ~= nil, "no client on 001")
    local settings = { seedls = { diagnostics = { severity = { ["citation-needed"] = "hint" } } } }
    -- Neovim answers workspace/configuration from config.settings; tell the server too.
    client.config.settings = settings
    client.notify("workspace/didChangeConfiguration", { settings = settings })
    local ok = vim.wait(15000, function()
      local severities = citation_needed_severities()
      return #severities > 0
    end, 50)
    local severities = citation_needed_severities()
    expect(ok, "no citation-needed diagnostics in 001 after the change: " .. describe_codes(belgrade_uri))
    for _, severity in ipairs(severities) do
      expect(severity == 4, "citation-needed has severity " .. tostring(severity) .. ", not 4 (hint)")
    end
    return #severities .. " citation-needed hint(s)"
  end)

  check("diagnostics on open: scrape-debris at the end of 003", function()
    local bajgora = open(BAJGORA)
    local uri = uri_of(BAJGORA)
    vim.wait(15000, function()
      return codes_on(uri)["scrape-debris"] ~= nil
    end, 50)
    local lines = codes_on(uri)["scrape-debris"]
    expect(lines ~= nil, "diagnostics for 003: " .. (describe_codes(uri) ~= "" and describe_codes(uri) or "none"))
    local last_line = vim.api.nvim_buf_line_count(bajgora)
    local near_end = false
    for _, line in ipairs(lines) do
      near_end = near_end or line >= last_line - 2
    end
    expect(near_end, "scrape-debris on lines " .. table.concat(lines, ",") .. ", not in the last lines of " .. last_line)
    return "scrape-debris@" .. table.concat(lines, ",")
  end)

  check("progress: $/progress begin and end while indexing", function()
    vim.wait(10000, function()
      return progress["end"] > 0
    end, 50)
    expect(progress.begin > 0 and progress["end"] > 0,
      string.format("begin %d, report %d, end %d", progress.begin, progress.report, progress["end"]))
    return string.format("begin %d, report %d, end %d (%s)", progress.begin, progress.report, progress["end"],
      table.concat(progress.titles, "; "))
  end)

  check("hover on Enver Hoxha in an infobox (000 line 11)", function()
    put_cursor(kosovo, 11, "Enver Hoxha")
    local text = hover_text(request(kosovo, "textDocument/hover", position_params()))
    for _, wanted in ipairs({ "Enver Hoxha", "Person", "Commander, side 1", "Kosovo Operation (1944)",
      "LANÇ counter-offensive in Albania (1944)" }) do
      expect(text:find(wanted, 1, true), "hover lacks '" .. wanted .. "': " .. text)
    end
    return (text:gsub("%s+", " ")):sub(1, 160)
  end)

  local lanc = open(LANC)

  check("hover on Enver Hoxha in prose (002 line 28)", function()
    put_cursor(lanc, 28, "Enver Hoxha")
    local text = hover_text(request(lanc, "textDocument/hover", position_params()))
    expect(text:find("Enver Hoxha", 1, true) and text:find("Person", 1, true), "hover: " .. text)
    return (text:gsub("%s+", " ")):sub(1, 120)
  end)

  check("definition of Enver Hoxha from 002 goes first to 000, then 002", function()
    put_cursor(lanc, 11, "Enver Hoxha")
    local locations = as_locations(request(lanc, "textDocument/definition", position_params()))
    expect(#locations > 0, "no locations")
    local files = {}
    for _, location in ipairs(locations) do
      table.insert(files, short(file_of(location.uri)) .. ":" .. (location.range.start.line + 1))
      -- The ranges are UTF-16: 000 line 11 has Č and ć before the name.
      local text = range_text(location.uri, location.range)
      expect(text == "Enver Hoxha", "a location covers '" .. text .. "', not 'Enver Hoxha'")
    end
    expect(file_of(locations[1].uri) == KOSOVO, "first location is " .. files[1] .. ", not in 000")
    local in_lanc = false
    for _, location in ipairs(locations) do
      in_lanc = in_lanc or file_of(location.uri) == LANC
    end
    expect(in_lanc, "no location in 002: " .. table.concat(files, " "))
    -- And Neovim jumps there.
    vim.lsp.util.jump_to_location(locations[1], "utf-16")
    expect(vim.api.nvim_buf_get_name(0) == KOSOVO, "jumped to " .. vim.api.nvim_buf_get_name(0))
    expect(vim.api.nvim_win_get_cursor(0)[1] == locations[1].range.start.line + 1, "cursor not on the location's line")
    return table.concat(files, " ")
  end)

  check("definition of Alexander Löhr covers the name exactly (UTF-16 ö)", function()
    put_cursor(lanc, 12, "Alexander Löhr")
    local locations = as_locations(request(lanc, "textDocument/definition", position_params()))
    expect(#locations >= 2, "expected locations in 000 and 002, got " .. #locations)
    for _, location in ipairs(locations) do
      local text = range_text(location.uri, location.range)
      expect(text == "Alexander Löhr", "a location covers '" .. text .. "'")
    end
    expect(file_of(locations[1].uri) == KOSOVO, "first location not in 000")
    return #locations .. " locations"
  end)

  check("references of Enver Hoxha are in 000 and 002", function()
    put_cursor(lanc, 11, "Enver Hoxha")
    local params = position_params()
    params.context = { includeDeclaration = true }
    local locations = as_locations(request(lanc, "textDocument/references", params))
    local seen = {}
    local listed = {}
    for _, location in ipairs(locations) do
      seen[file_of(location.uri)] = true
      table.insert(listed, short(file_of(location.uri)) .. ":" .. (location.range.start.line + 1))
      local text = range_text(location.uri, location.range)
      expect(text == "Enver Hoxha", "a reference covers '" .. text .. "'")
    end
    expect(seen[KOSOVO] and seen[LANC], "references: " .. table.concat(listed, " "))
    return table.concat(listed, " ")
  end)

  check("completion in an infobox value offers Enver Hoxha (a Person)", function()
    local serbia = open(SERBIA)
    local line = vim.api.nvim_buf_get_lines(serbia, 12, 13, true)[1]
    expect(line:find("^%- Commander2:"), "line 13 of 004 is not Commander2: " .. line)
    vim.api.nvim_buf_set_lines(serbia, 12, 13, true, { line .. ", Enve" })
    vim.api.nvim_win_set_cursor(0, { 13, #line + #", Enve" })
    local params = position_params()
    params.context = { triggerKind = 1 }
    local items = completion_items(request(serbia, "textDocument/completion", params))
    local item = find_item(items, "Enver Hoxha")
    expect(item ~= nil, "no 'Enver Hoxha' among " .. #items .. " items: " .. item_labels(items, 12))
    local described = table.concat({
      tostring(item.detail or ""),
      vim.inspect(item.labelDetails or ""),
      vim.inspect(item.documentation or ""),
    }, " ")
    expect(described:find("Person", 1, true), "its detail does not mention Person: " .. described)
    return "detail: " .. tostring(item.detail)
  end)

  check("completion in prose offers a known entity", function()
    local count = vim.api.nvim_buf_line_count(lanc)
    vim.api.nvim_buf_set_lines(lanc, count, count, true, { "", "Later Alexan" })
    vim.api.nvim_win_set_buf(0, lanc)
    vim.api.nvim_win_set_cursor(0, { count + 2, #"Later Alexan" })
    local params = position_params()
    params.context = { triggerKind = 1 }
    local items = completion_items(request(lanc, "textDocument/completion", params))
    expect(find_item(items, "Alexander Löhr") ~= nil,
      "no 'Alexander Löhr' among " .. #items .. " items: " .. item_labels(items, 12))
    -- Leave 002 as it was for the rename below.
    vim.api.nvim_buf_set_lines(lanc, count, count + 2, true, {})
    return #items .. " items"
  end)

  check("rename Enver Hoxha edits 000 and 002, and writes no file", function()
    put_cursor(lanc, 11, "Enver Hoxha")
    local params = position_params()
    params.newName = "Enver Halil Hoxha"
    local on_disk_before = table.concat(vim.fn.readfile(KOSOVO), "\n")
    local edit = request(lanc, "textDocument/rename", params)
    expect(edit ~= nil, "no WorkspaceEdit")
    local files = {}
    for uri, _ in pairs(edit.changes or {}) do
      files[file_of(uri)] = true
    end
    for _, change in ipairs(edit.documentChanges or {}) do
      if change.textDocument then
        files[file_of(change.textDocument.uri)] = true
      end
    end
    expect(files[KOSOVO] and files[LANC], "edited files: " .. table.concat(vim.tbl_map(short, vim.tbl_keys(files)), ", "))
    expect(table.concat(vim.fn.readfile(KOSOVO), "\n") == on_disk_before, "the server changed 000 on disk")
    -- Neovim applies it; the UTF-16 ranges must land exactly on the name.
    vim.lsp.util.apply_workspace_edit(edit, "utf-16")
    local kosovo_line = vim.api.nvim_buf_get_lines(vim.fn.bufnr(KOSOVO), 10, 11, true)[1]
    expect(kosovo_line == "- Commander1: Kiril Stanchev, Mile Čalović, Tomica Popović, Enver Halil Hoxha",
      "000 line 11 after rename: " .. kosovo_line)
    local lanc_line = vim.api.nvim_buf_get_lines(lanc, 10, 11, true)[1]
    expect(lanc_line == "- Commander1: Enver Halil Hoxha, Mehmet Shehu, Spiro Moisiu",
      "002 line 11 after rename: " .. lanc_line)
    return table.concat(vim.tbl_map(short, vim.tbl_keys(files)), ", ")
  end)
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  record(false, "the test script runs to the end", err)
end
results_file:close()
if failures == 0 then
  vim.cmd("qall!")
else
  vim.cmd("cquit 1")
end
