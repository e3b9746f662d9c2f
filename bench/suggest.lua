-- wrk script for the suggestion benchmark. MODE selects the traffic:
--   static  a plain GET (the nginx reference; same percentile output)
--   hits    a small fixed set of (user, partial query) pairs, already cached: every request a hit
--   misses  every (user, partial query, count) at most once: each request generates from patterns
--           and catalog (410,400 keys; two threads at 10k req/s each take 20 s to go round)
--   sessions every user once in a while, with keys the other modes never use: starts the users'
--           sessions before a measurement without caching any of its answers
--   replay  realistic, repetitive typing: users with favourite questions (Zipf), sending the
--           partial query at each word boundary, as a debounced front end does
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local mode = os.getenv("MODE") or "hits"
local path = "/api/v1/connections/demo-sales/suggestions/personalized"

local questions = {
  "show me quarterly profits from last 5 years", "top 10 products by revenue",
  "compare revenue across regions", "average profit margin by product category",
  "revenue by region for last 30 days", "top 5 customers by revenue this quarter",
  "show me volume by sales channel", "profit trend over the last 12 months",
  "compare profit across sales channel", "total volume by region",
}

local function encode(s)
  return (s:gsub("[^%w%-_%.]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function words_prefix(q, n)
  local out, i = {}, 0
  for w in q:gmatch("%S+") do
    i = i + 1
    if i > n then break end
    out[#out + 1] = w
  end
  return table.concat(out, " ")
end

local function word_count(q)
  local n = 0
  for _ in q:gmatch("%S+") do n = n + 1 end
  return n
end

-- Zipf-like pick in 1..n: the first items are asked far more often.
local function zipf(n)
  local r = math.random()
  return math.min(n, math.floor(1 / (r * (1 - 1 / (n + 1)) + 1 / (n + 1))))
end

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

-- The misses' keys: every partial query the ten questions give (each prefix, and each prefix
-- with the first 1-3 letters of the next word) x 12 counts x every user, walked with a stride
-- coprime to their number so that no key comes twice. Drawing them at random instead repeated
-- a quarter of them within 10 s at 19k req/s, and those repeats were cache hits.
local partials, miss_keys, miss_stride, miss_at = {}, 0, 104729, 0
local function gcd(a, b) while b ~= 0 do a, b = b, a % b end return a end
local function list_partials()
  local seen = {}
  local function add(p) if not seen[p] then seen[p] = true; partials[#partials + 1] = p end end
  for _, q in ipairs(questions) do
    for n = 1, word_count(q) do
      local p = words_prefix(q, n)
      add(p)
      local nextw = words_prefix(q, n + 1):sub(#p + 2)
      for cut = 1, math.min(3, #nextw) do add(p .. " " .. nextw:sub(1, cut)) end
    end
  end
end

function init(args)
  -- each wrk thread its own sequence, or the threads would repeat each other's keys
  math.randomseed(os.time() * 1000 + id * 7919)
  if mode ~= "misses" then return end
  list_partials()
  miss_keys = #tokens * #partials * 12
  assert(miss_keys > 0, "misses need TOKENS_FILE")
  while gcd(miss_stride, miss_keys) ~= 1 do miss_stride = miss_stride + 2 end
  -- Both threads walk the same cycle, half of it apart (the script runs wrk with -t2).
  miss_at = ((id - 1) * math.floor(miss_keys / 2) * miss_stride) % miss_keys
end

-- The request as wrk.format would write it, from pieces built once per thread: the load
-- generator shares the server's two cores, so what it spends is taken from the server (and from
-- nginx in the reference run). wrk.format and the URL encoding were a tenth of wrk's CPU time.
local encoded, head, static_request = {}, nil, nil
local function make(token, partial, count)
  head = head or (" HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\nContent-Length: 0\r\n" ..
                  "Authorization: Bearer ")
  local e = encoded[partial]
  if not e then
    e = path .. "?partial_query=" .. encode(partial)
    encoded[partial] = e
  end
  if count then e = e .. "&max_suggestions=" .. count end
  return "POST " .. e .. head .. token .. "\r\n\r\n"
end

local hot = tonumber(os.getenv("HOT_USERS") or "20")

function request()
  if mode == "static" then
    static_request = static_request or wrk.format("GET")
    return static_request
  elseif mode == "hits" then
    -- hot users x 3 partial queries: warmed before the measurement
    local u = math.random(hot)
    local q = questions[math.random(3)]
    return make(tokens[u], words_prefix(q, 2))
  elseif mode == "sessions" then
    return make(tokens[math.random(#tokens)], "warm up", math.random(12))
  elseif mode == "misses" then
    local k = miss_at
    miss_at = (miss_at + miss_stride) % miss_keys
    local count = k % 12 + 1
    k = math.floor(k / 12)
    local partial = partials[k % #partials + 1]
    return make(tokens[math.floor(k / #partials) + 1], partial, count)
  else
    -- each user has favourite questions: user u starts their Zipf list at offset u
    local u = math.random(#tokens)
    local q = questions[((u + zipf(#questions)) % #questions) + 1]
    return make(tokens[u], words_prefix(q, math.random(word_count(q))))
  end
end

function done(summary, latency, requests)
  for _, p in ipairs({ 50, 99, 99.9 }) do
    io.write(string.format("  %g%% %.2fms\n", p, latency:percentile(p) / 1000))
  end
end
