// The ranker alone, replayed over an activity log in one process: the same split and scoring as
// bench/eval.py (the first 30% of queries as history only; then for each query, the empty box and
// its first word typed; hit@k and MRR by masked shape) without HTTP, PostgreSQL or the template
// fill, so that a change to the ranking can be judged in a second. The eval is the measurement
// of record; this is the quick loop beside it.
//
//   build/rank_replay FILE.ndjson [k]
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/payloads.hpp"
#include "core/question_ranker.hpp"
#include "core/question_shape.hpp"
#include "core/timestamp.hpp"

using namespace foresight;

namespace {

struct event {
  std::string user, role, type, text, clicked, connection;
  std::int64_t at = 0;
  int rating = 0;
  bool success = true;
};

struct score {
  double hits = 0, rr = 0, n = 0;
  void add(const std::vector<ranked_question>& got, const std::string& shape) {
    n += 1;
    for (std::size_t i = 0; i < got.size(); ++i)
      if (masked_shape(got[i].text) == shape) {
        hits += 1;
        rr += 1.0 / double(i + 1);
        return;
      }
  }
};

std::string str(simdjson::ondemand::object& o, const char* key) {
  std::string_view v;
  if (o[key].get_string().get(v))
    return {};
  return std::string(v);
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: rank_replay FILE.ndjson [k]\n");
    return 2;
  }
  int k = argc > 2 ? std::atoi(argv[2]) : 6;
  std::ifstream in(argv[1]);
  std::string line;
  connection_catalog catalog;
  std::vector<event> events;
  simdjson::ondemand::parser parser;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    simdjson::padded_string p(line);
    auto doc = parser.iterate(p);
    simdjson::ondemand::object o;
    if (doc.get_object().get(o))
      continue;
    if (auto at = line.find("\"catalog\""); at != std::string::npos && at < 4) {
      // {"catalog": {...}}: the object between the member's colon and the closing brace.
      auto open = line.find('{', at);
      auto close = line.rfind('}');
      parse_catalog(std::string_view(line).substr(open, close - open), catalog);
      continue;
    }
    event e;
    e.user = str(o, "user_id");
    e.role = str(o, "role");
    e.type = str(o, "activity_type");
    e.text = str(o, "query_text");
    e.clicked = str(o, "suggestion_clicked");
    parse_iso8601(str(o, "created_at"), e.at);
    std::int64_t r = 0;
    if (!o["feedback_rating"].get_int64().get(r))
      e.rating = static_cast<int>(r);
    simdjson::ondemand::object resp;
    if (!o["response_data"].get_object().get(resp)) {
      simdjson::ondemand::value err;
      e.success = resp["error"].get(err) != simdjson::SUCCESS;
    }
    events.push_back(std::move(e));
  }
  catalog_index index(catalog);
  std::size_t queries = 0;
  for (auto& e : events)
    queries += e.type == "query";
  auto history_only = static_cast<std::size_t>(double(queries) * 0.3);
  std::unordered_map<std::string, question_history> users;
  crowd_book crowd(2);
  score empty, first;
  std::size_t seen = 0;
  // The back-off baseline (user, then role, then global most frequent), as bench/eval.py has it.
  std::unordered_map<std::string, std::unordered_map<std::string, int>> user_counts, role_counts;
  std::unordered_map<std::string, int> global_counts;
  std::unordered_map<std::string, std::string> role_of;
  int both = 0, only_base = 0, only_mine = 0;
  std::int64_t id = 0;
  for (auto& e : events) {
    auto& h = users[e.user];
    if (e.type == "suggestion_click") {
      h.click(masked_shape(e.clicked));
      continue;
    }
    if (e.type != "query" || e.text.empty())
      continue;
    if (++seen > history_only) {
      rank_request rr;
      rr.now = e.at;
      rr.connection_id = "";
      rr.count = k;
      std::string previous;
      if (!h.questions().empty() && e.at - h.questions().back().at <= session_gap_seconds)
        previous = h.questions().back().template_text;
      if (seen % 20 == 0)
        crowd.refresh(); // the crowd actor refreshes every second
      auto shape = masked_shape(e.text);
      empty.add(rank_questions(h, crowd.view(e.user, e.role, "", previous, "", 20), rr, index),
                shape);
      rr.partial = e.text.substr(0, e.text.find(' '));
      auto mine = rank_questions(h, crowd.view(e.user, e.role, "", previous, crowd_key_of(rr.partial), 20),
                                 rr, index);
      first.add(mine, shape);
      {
        auto fw = first_word(e.text);
        std::vector<std::string> base;
        auto take = [&](const std::unordered_map<std::string, int>& counts) {
          std::vector<std::pair<int, std::string>> v;
          for (auto& [sh, n] : counts)
            if (first_word(sh) == fw)
              v.emplace_back(-n, sh);
          std::sort(v.begin(), v.end());
          for (auto& [n, sh] : v)
            if (base.size() < std::size_t(k) && std::find(base.begin(), base.end(), sh) == base.end())
              base.push_back(sh);
        };
        take(user_counts[e.user]);
        take(role_counts[e.role]);
        take(global_counts);
        bool b = std::find(base.begin(), base.end(), shape) != base.end();
        bool m = false;
        for (auto& g : mine) m |= masked_shape(g.text) == shape;
        both += b && m; only_base += b && !m; only_mine += m && !b;
      }
    }
    auto q = describe_question(++id, e.at, "", e.text, e.success, index);
    user_counts[e.user][q.shape] += 1;
    role_counts[e.role][q.shape] += 1;
    global_counts[q.shape] += 1;
    crowd.add(e.user, e.role, q);
    h.add(std::move(q));
  }
  std::printf("queries scored %.0f  hit@%d empty %.3f  MRR empty %.3f  hit@%d first %.3f  MRR first %.3f\n",
              empty.n, k, empty.hits / empty.n, empty.rr / empty.n, k, first.hits / first.n,
              first.rr / first.n);
  std::printf("first word: both %d, only the back-off %d, only the ranker %d\n", both, only_base, only_mine);
  return 0;
}
