// The ranker alone, replayed over an activity log in one process: the same split and scoring as
// bench/eval.py (the first 30% of queries as history only; then for each query, the empty box and
// its first word typed; hit@k and MRR by masked shape) without HTTP, PostgreSQL or the template
// fill, so that a change to the ranking can be judged in a second. The eval is the measurement
// of record; this is the quick loop beside it.
//
//   build/rank_replay FILE.ndjson [k]
//
// It also splits the misses with the first word typed by what was known of the question, and
// prints the ceiling that no ranking of past questions can pass.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/activity_import.hpp"
#include "core/payloads.hpp"
#include "core/question_ranker.hpp"
#include "core/question_shape.hpp"

using namespace foresight;

namespace {

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

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: rank_replay FILE.ndjson [k]\n");
    return 2;
  }
  int k = argc > 2 ? std::atoi(argv[2]) : 6;
  std::ifstream in(argv[1]);
  std::stringstream file;
  file << in.rdbuf();
  auto body = file.str();
  // The catalog line ({"catalog": {...}}), then the activities as the import reads them: the
  // same validation, in time order.
  connection_catalog catalog;
  if (auto at = body.find("\"catalog\""); at != std::string::npos && at < 4) {
    auto open = body.find('{', at);
    auto close = body.rfind('}', body.find('\n'));
    parse_catalog(std::string_view(body).substr(open, close - open), catalog);
  }
  import_report report;
  auto lines = parse_import(body, 1 << 20, report);
  std::vector<learned_activity> events;
  for (auto& l : lines) {
    learned_activity a;
    a.id = static_cast<std::int64_t>(events.size()) + 1;
    a.user_id = l.row.user_id;
    a.role = l.extras.metadata_role;
    a.activity_type = l.row.activity_type;
    a.query_text = l.row.query_text;
    a.response_data_json = l.row.response_data_json;
    a.suggestion_clicked = l.row.suggestion_clicked;
    a.created_at = l.row.created_at;
    events.push_back(std::move(a));
  }
  catalog_index index(catalog);
  std::size_t queries = 0;
  for (auto& e : events)
    queries += e.activity_type == "query";
  auto history_only = static_cast<std::size_t>(double(queries) * 0.3);
  std::unordered_map<std::string, question_history> users;
  crowd_book crowd(2);
  score empty, first;
  std::size_t seen = 0;
  // The back-off baseline (user, then role, then global most frequent), as bench/eval.py has it.
  std::unordered_map<std::string, std::unordered_map<std::string, int>> user_counts, role_counts;
  std::unordered_map<std::string, int> global_counts;
  int both = 0, only_base = 0, only_mine = 0;
  // First-word misses by what was known of the question when it was asked: the user had asked it,
  // only colleagues of the role had, only users elsewhere had, or no one had (a new combination,
  // a one-off or a typo, which no ranking of past questions can show).
  int miss_user = 0, miss_role = 0, miss_global = 0, miss_new = 0;
  int miss_shareable = 0; ///< of the role's and others', asked by at least k = 2 distinct users
  std::unordered_map<std::string, std::unordered_set<std::string>> askers;
  for (auto& a : events) {
    auto& h = users[a.user_id];
    if (a.activity_type == "suggestion_click") {
      h.click(masked_shape(a.suggestion_clicked));
      continue;
    }
    asked_question q;
    if (!to_asked_question(a, index, q))
      continue;
    auto& user = a.user_id;
    auto& role = a.role;
    auto& text = a.query_text;
    if (++seen > history_only) {
      rank_request rr;
      rr.now = q.at;
      rr.connection_id = "";
      rr.count = k;
      std::string previous;
      if (!h.questions().empty() && q.at - h.questions().back().at <= session_gap_seconds)
        previous = h.questions().back().template_text;
      if (seen % 20 == 0)
        crowd.refresh(); // the crowd actor refreshes every second
      auto& shape = q.shape;
      empty.add(rank_questions(h, crowd.view(user, role, "", previous, "", 20), rr, index), shape);
      rr.partial = text.substr(0, text.find(' '));
      auto mine = rank_questions(h, crowd.view(user, role, "", previous, crowd_key_of(rr.partial), 20),
                                 rr, index);
      first.add(mine, shape);
      {
        auto fw = first_word(text);
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
        take(user_counts[user]);
        take(role_counts[role]);
        take(global_counts);
        bool b = std::find(base.begin(), base.end(), shape) != base.end();
        bool m = false;
        for (auto& g : mine) m |= masked_shape(g.text) == shape;
        both += b && m; only_base += b && !m; only_mine += m && !b;
        if (!m) {
          if (user_counts[user].count(shape))
            ++miss_user;
          else if (role_counts[role].count(shape))
            ++miss_role;
          else if (global_counts.count(shape))
            ++miss_global;
          else
            ++miss_new;
          if (!user_counts[user].count(shape) && askers[shape].size() >= 2)
            ++miss_shareable;
        }
      }
    }
    user_counts[user][q.shape] += 1;
    role_counts[role][q.shape] += 1;
    global_counts[q.shape] += 1;
    askers[q.shape].insert(user);
    crowd.add(user, role, q);
    h.add(std::move(q));
  }
  std::printf("queries scored %.0f  hit@%d empty %.3f  MRR empty %.3f  hit@%d first %.3f  MRR first %.3f\n",
              empty.n, k, empty.hits / empty.n, empty.rr / empty.n, k, first.hits / first.n,
              first.rr / first.n);
  std::printf("first word: both %d, only the back-off %d, only the ranker %d\n", both, only_base, only_mine);
  std::printf("first-word misses: asked before by the user %d, by the role only %d, by others "
              "only %d, by no one %d\n", miss_user, miss_role, miss_global, miss_new);
  // A ranker that showed every question the user, or k users, asked before would reach this at
  // most (one that may show a single colleague's question: the second figure).
  double base = double(both + only_base) / first.n;
  double ceiling = (first.hits + miss_user + miss_shareable) / first.n;
  double unshareable = (first.hits + miss_user + miss_role + miss_global) / first.n;
  std::printf("first word: back-off %.3f; ranker %.2fx it; ceiling of any ranker of past "
              "questions %.3f = %.2fx (%.2fx showing single colleagues' questions too)\n", base,
              first.hits / first.n / base, ceiling, ceiling / base, unshareable / base);
  return 0;
}
