-- wrk script for the slot endpoint: each request takes the next path of
-- the file `loadgen paths` wrote (PATHS, default paths.txt), each thread
-- from its own offset.
--   wrk -t2 -c32 -d30s --latency -s cmd/loadgen/slots.lua http://127.0.0.1:18090
local paths = {}
for line in io.lines(os.getenv("PATHS") or "paths.txt") do
  paths[#paths + 1] = line
end
local counter = 0
function setup(thread)
  thread:set("offset", counter * 997)
  counter = counter + 1
end
local i = 0
function init(args)
  i = tonumber(offset) or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
