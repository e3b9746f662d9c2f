-- wrk script for the cluster benchmark: cached suggestion requests, with wrk's threads spread
-- evenly over the nodes' HTTP ports. Environment:
--   TOKENS_FILE  one bearer token a line (the users asked for)
--   NODE_PORTS   comma-separated HTTP ports; thread i sends to port i mod n (all threads to the
--                URL's port when empty). With -t6: 6, 3 or 2 threads per node for 1, 2 or 3.
--   HOT_USERS    the first N tokens only (default: all)
-- Each request is one of HOT_USERS x 3 partial queries (the suggest benchmark's "hits" keys),
-- warmed by a first run, so that each is a cache hit on its user's owner: what is measured is
-- the HTTP front, placement and, on a node that does not own the user, the forward.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local hot = math.min(tonumber(os.getenv("HOT_USERS") or "0") or 0, #tokens)
if hot <= 0 then hot = #tokens end
local ports = {}
for p in (os.getenv("NODE_PORTS") or ""):gmatch("%d+") do ports[#ports + 1] = p end
local path = "/api/v1/connections/demo-sales/suggestions/personalized?partial_query="
local partials = { "show%20me", "top%2010", "compare%20revenue" }

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
  if #ports > 0 then
    thread.addr = wrk.lookup("127.0.0.1", ports[(threads - 1) % #ports + 1])[1]
  end
end

function init(args)
  math.randomseed(os.time() * 1000 + id * 7919)
end

local head
function request()
  head = head or (" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nAuthorization: Bearer ")
  return "POST " .. path .. partials[math.random(#partials)] .. head ..
         tokens[math.random(hot)] .. "\r\n\r\n"
end

function done(summary, latency, requests)
  for _, p in ipairs({ 50, 99, 99.9 }) do
    io.write(string.format("  %g%% %.3fms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("  non2xx %d\n", summary.errors.status))
  io.write(string.format("  socket_errors %d\n", summary.errors.connect + summary.errors.read +
                         summary.errors.write + summary.errors.timeout))
end
