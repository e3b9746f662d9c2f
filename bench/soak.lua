-- wrk script for the soak: mixed traffic from every user. Per request, by weight: log a query
-- (40%), read history (15%), ask suggestions while typing (35%), change preferences (7%), and,
-- as the admin, replace the catalog (3%, which invalidates every cached list of it).
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local admin = os.getenv("ADMIN_TOKEN")
local catalog = os.getenv("CATALOG_JSON")
local base = "/api/v1/connections/demo-sales"

local questions = {
  "top 10 products by revenue", "compare revenue across regions",
  "average profit margin by product category", "revenue by region for last 30 days",
  "show me volume by sales channel", "profit trend over the last 12 months",
  "top 5 customers by revenue this quarter", "total volume by region",
}
local partials = { "", "top", "compare", "revenue", "show", "profit", "total", "average" }

local counter = 0
function setup(thread)
  thread:set("seed", counter)
  counter = counter + 1
end

function init()
  math.randomseed(os.time() + seed * 7919)
end

local function auth(token)
  return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end

function request()
  local token = tokens[math.random(#tokens)]
  local r = math.random(100)
  if r <= 40 then
    local q = questions[math.random(#questions)]
    local body = '{"activity_type":"query","query_text":"' .. q ..
      '","response_data":{"data":[{"v":1}],"metadata":{"execution_time_ms":120}},' ..
      '"metadata":{"connection_id":"demo-sales"}}'
    return wrk.format("POST", "/api/v1/activity/log", auth(token), body)
  elseif r <= 55 then
    return wrk.format("GET", "/api/v1/activity/history?limit=20", auth(token))
  elseif r <= 90 then
    local p = partials[math.random(#partials)]
    return wrk.format("POST", base .. "/suggestions/personalized?partial_query=" .. p, auth(token))
  elseif r <= 97 then
    local body = '{"max_suggestions":' .. math.random(3, 8) .. '}'
    return wrk.format("PUT", "/api/v1/activity/preferences", auth(token), body)
  else
    return wrk.format("PUT", base, auth(admin), catalog)
  end
end

local statuses = {}
function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary)
  io.write(string.format("requests %d, errors: connect %d read %d write %d timeout %d, non-2xx %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
