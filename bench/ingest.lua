-- wrk script for the ingest benchmark: varied, realistic activity bodies from many users, and a
-- record of every acknowledged activity id (written to $IDS_FILE when the run ends). Each thread
-- formats its requests once, before the run, and sends them in turn: formatting every request in
-- Lua during the run cost wrk about as much CPU per request as the server's HTTP threads spend on
-- it, on the cores it shares with the server (nginx's reference run uses wrk without a script).
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end

local queries = {
  "Show me quarterly profits from last 5 years", "Top 10 stocks by volume",
  "Show me profit for Q1 2024", "Compare revenue across regions",
  "Average price by product category", "Revenue by region for last 30 days",
  "Top 5 customers by revenue this quarter", "Compare margin across product categories",
  "Show me volume for March 2024", "Average order value per customer YTD",
}
local chats = { "why did margin drop in Q3?", "explain the spike in volume", "what drives churn?" }
local threads = {}
local counter = 0
local prepared = {}   -- this thread's requests, formatted in init()
local next_request = 0
local requests_prepared = 8192

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

local function body()
  counter = counter + 1
  local r = math.random(100)
  local ms = math.random(20, 2500)
  if r <= 80 then
    return string.format(
      '{"activity_type":"query","query_text":"%s","response_data":{"data":[{"label":"Q1","value":%d.5},' ..
      '{"label":"Q2","value":%d.25},{"label":"Q3","value":%d}],"metadata":{"generated_sql":"SELECT label, ' ..
      'SUM(value) FROM facts WHERE period >= now() - interval \'%d days\' GROUP BY label ORDER BY 2 DESC",' ..
      '"execution_time_ms":%d,"row_count":%d}},"metadata":{"connection_id":"demo-sales","session":"s%d"}}',
      queries[math.random(#queries)], math.random(1e6), math.random(1e6), math.random(1e6),
      math.random(365), ms, math.random(1, 500), counter)
  elseif r <= 90 then
    return string.format('{"activity_type":"chat","query_text":"%s","metadata":{"connection_id":"demo-sales"}}',
      chats[math.random(#chats)])
  elseif r <= 96 then
    return string.format('{"activity_type":"suggestion_click","suggestion_clicked":"%s"}',
      queries[math.random(#queries)])
  else
    return string.format('{"activity_type":"feedback","feedback_rating":%d}', math.random(1, 5))
  end
end

local function format_request()
  local token = tokens[math.random(#tokens)]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body())
end

function init(args)
  acked = {}
  math.randomseed(id * 7919)
  for i = 1, requests_prepared do prepared[i] = format_request() end
end

function request()
  next_request = next_request % requests_prepared + 1
  return prepared[next_request]
end

function response(status, headers, resp)
  if status == 200 then
    local id = string.match(resp, '"activity_id":(%d+)')
    if id then acked[#acked + 1] = id end
  end
end

function done(summary, latency, requests)
  local f = io.open(os.getenv("IDS_FILE"), "w")
  for _, t in ipairs(threads) do
    local ids = t:get("acked")
    for _, v in ipairs(ids) do f:write(v, "\n") end
  end
  f:close()
  for _, p in ipairs({ 50, 99, 99.9 }) do
    io.write(string.format("  %g%% %.2fms\n", p, latency:percentile(p) / 1000))
  end
end
