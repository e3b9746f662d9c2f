// The ranker as a user would notice it: their own questions first with their own values, the
// question just asked, the usual follow-up, the role's common questions for a newcomer, and
// preferences.
#include <boost/test/unit_test.hpp>

#include "core/question_ranker.hpp"
#include "core/question_shape.hpp"

using namespace foresight;

namespace {

connection_catalog sales_catalog() {
  connection_catalog c;
  c.id = "sales";
  c.metrics = {{"revenue", "Revenue", "", "sum"}, {"cost", "Cost", "", "sum"},
               {"margin", "Margin", "", "avg"}, {"units", "Units", "", "sum"}};
  c.dimensions = {{"region", "Region", "string"}, {"product", "Product", "string"},
                  {"channel", "Channel", "string"}};
  c.entities = {{"customer", "Customers"}};
  return c;
}

const catalog_index& sales_index() {
  static const catalog_index index{sales_catalog()};
  return index;
}

constexpr std::int64_t day = 86400;
constexpr std::int64_t monday_9am = 1767603600; // 2026-01-05T09:00:00Z

struct user_log {
  question_history history;
  std::int64_t next_id = 1;
  void ask(std::int64_t at, const std::string& text, bool success = true) {
    history.add(describe_question(next_id++, at, "sales", text, success, sales_index()));
  }
};

std::vector<std::string> texts(const std::vector<ranked_question>& r) {
  std::vector<std::string> out;
  for (auto& q : r)
    out.push_back(q.text);
  return out;
}

rank_request at(std::int64_t now, std::string partial = {}, int count = 6) {
  rank_request r;
  r.now = now;
  r.connection_id = "sales";
  r.partial = std::move(partial);
  r.count = count;
  return r;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

BOOST_AUTO_TEST_SUITE(ranking)

BOOST_AUTO_TEST_CASE(masked_shapes_ignore_numbers_dates_case_and_trailing_punctuation) {
  BOOST_TEST(masked_shape("Total revenue by region for Q3 2026?") ==
             "total revenue by region for {quarter} {year}");
  BOOST_TEST(masked_shape("  Top 10   products by margin. ") == "top {n} products by margin");
  BOOST_TEST(masked_shape("Revenue in March 2025, by channel") ==
             "revenue in {month} {year}, by channel");
  BOOST_TEST(masked_shape("units for the first quarter") == "units for the {quarter}");
  BOOST_TEST(masked_shape("Top 5 customers") == masked_shape("top 20 customers"));
  BOOST_TEST(first_word("  Show me revenue") == "show");
}

BOOST_AUTO_TEST_CASE(slots_are_found_and_carried_as_the_user_spelled_them) {
  std::string base = "Break down cost by product for APAC last month";
  std::string from = "Total revenue by region for EMEA this quarter";
  auto bs = find_slots(base, sales_index());
  auto fs = find_slots(from, sales_index());
  BOOST_REQUIRE(first_slot(fs, slot_kind::metric));
  BOOST_TEST(first_slot(fs, slot_kind::metric)->key == "revenue");
  BOOST_TEST(first_slot(fs, slot_kind::dimension)->key == "region");
  BOOST_TEST(first_slot(fs, slot_kind::value)->key == "emea");
  BOOST_TEST(first_slot(fs, slot_kind::timeframe)->key == "this quarter");
  auto carried = carry_slots(base, bs, from, fs,
                             slot_bit(slot_kind::metric) | slot_bit(slot_kind::value) |
                               slot_bit(slot_kind::timeframe));
  BOOST_TEST(carried == "Break down revenue by product for EMEA this quarter");
  BOOST_TEST(carry_slots(base, bs, from, fs, 0) == base);
}

BOOST_AUTO_TEST_CASE(a_user_who_asks_three_questions_sees_exactly_those_first_in_their_words) {
  user_log u;
  std::vector<std::string> mine = {"Total revenue by region for EMEA this quarter",
                                   "Top 10 customers by margin in 2026",
                                   "Units trend by channel over the last 12 months"};
  for (int d = 0; d < 10; ++d)
    for (int i = 0; i < 3; ++i)
      u.ask(monday_9am + d * day + i * 3600 * 3, mine[static_cast<std::size_t>(i)]);
  crowd_view crowd;
  crowd.role = {{"Total cost by product", "total cost by product", "total cost by product", "", 50, 9, 0}};
  crowd.role_total = 100;
  auto got = texts(rank_questions(u.history, crowd, at(monday_9am + 11 * day, {}, 3), sales_index()));
  BOOST_TEST_REQUIRE(got.size() == 3u);
  for (auto& q : mine)
    BOOST_TEST(has(got, q), q);
}

BOOST_AUTO_TEST_CASE(the_question_just_asked_shows_in_the_next_empty_box_list) {
  user_log u;
  u.ask(monday_9am, "Total revenue by region");
  u.ask(monday_9am + day, "Margin by product for EMEA");
  u.ask(monday_9am + 2 * day, "Units by channel this quarter");
  auto got = texts(rank_questions(u.history, {}, at(monday_9am + 2 * day + 5), sales_index()));
  BOOST_TEST(has(got, "Units by channel this quarter"));
}

BOOST_AUTO_TEST_CASE(the_usual_follow_up_comes_first_right_after_its_question_carrying_the_metric) {
  user_log u;
  // Every session: a total by region, then the same metric's trend by month, then something else.
  std::vector<std::string> metrics = {"revenue", "cost", "margin", "units"};
  for (int d = 0; d < 12; ++d) {
    auto t = monday_9am + d * day;
    auto& m = metrics[static_cast<std::size_t>(d) % metrics.size()];
    u.ask(t, "Total " + m + " by region this quarter");
    u.ask(t + 120, m + " trend by month for EMEA");
    u.ask(t + 600, "Top 5 customers by revenue");
  }
  // Today's session starts with a metric the user never followed up yet in this order.
  auto now = monday_9am + 13 * day;
  u.ask(now, "Total margin by region this quarter");
  auto got = rank_questions(u.history, {}, at(now + 30), sales_index());
  BOOST_TEST_REQUIRE(!got.empty());
  BOOST_TEST(got.front().text == "margin trend by month for EMEA");
  BOOST_TEST(got.front().origin == "followup");
}

BOOST_AUTO_TEST_CASE(a_new_user_gets_the_roles_common_questions_never_one_colleagues) {
  crowd_book book(2);
  auto add = [&](const std::string& user, std::int64_t id, const std::string& text) {
    book.add(user, "analyst", describe_question(id, monday_9am + id * 60, "sales", text, true,
                                                sales_index()));
  };
  add("a1", 1, "Total revenue by region for Q1 2026");
  add("a2", 2, "Total revenue by region for Q2 2026");
  add("a3", 3, "total revenue by region for q3 2026");
  add("a1", 4, "Margin by product for EMEA");
  add("a2", 5, "Margin by product for EMEA");
  add("a3", 6, "My secret question about cost by channel for ACME");
  add("t1", 7, "Units by channel"); // another role
  add("t2", 8, "Units by channel");
  // A question only a trader asked twice is not the analysts', and one asked once is no one's.
  book.refresh();
  auto view = book.view("newbie", "analyst", "sales", "", "", 10);
  question_history empty;
  auto got = rank_questions(empty, view, at(monday_9am + day), sales_index());
  std::vector<std::string> shapes;
  for (auto& r : got)
    shapes.push_back(r.shape);
  BOOST_TEST(has(shapes, "total revenue by region for {quarter} {year}"));
  BOOST_TEST(has(shapes, "margin by product for emea"));
  BOOST_TEST(!has(shapes, masked_shape("My secret question about cost by channel for ACME")));
  BOOST_TEST(shapes.front() == "total revenue by region for {quarter} {year}");
}

BOOST_AUTO_TEST_CASE(askers_are_counted_once_per_role_and_again_in_a_new_role) {
  crowd_book book(2);
  auto add = [&](const std::string& user, const std::string& role, std::int64_t id,
                 const std::string& text) {
    book.add(user, role, describe_question(id, monday_9am + id * 60, "sales", text, true,
                                           sales_index()));
  };
  add("a1", "analyst", 1, "Units by channel");
  add("a1", "analyst", 2, "Units by channel"); // one asker, however often
  add("a1", "trader", 3, "Units by channel");  // moved: now one of the traders asking it
  add("t2", "trader", 4, "Units by channel");
  book.refresh();
  auto shape = masked_shape("Units by channel");
  auto find = [&](const std::vector<crowd_question>& list) -> const crowd_question* {
    for (auto& q : list)
      if (q.shape == shape)
        return &q;
    return nullptr;
  };
  auto traders = book.view("newbie", "trader", "sales", "", "", 10);
  BOOST_TEST_REQUIRE(find(traders.role) != nullptr);
  BOOST_TEST(find(traders.role)->users == 2);
  BOOST_TEST(find(traders.global)->users == 2);
  BOOST_TEST(find(book.view("newbie", "analyst", "sales", "", "", 10).role) == nullptr);
}

BOOST_AUTO_TEST_CASE(an_excluded_metric_never_appears_and_preferred_ones_come_first) {
  user_log u;
  for (int d = 0; d < 5; ++d) {
    u.ask(monday_9am + d * day, "Total cost by region");
    u.ask(monday_9am + d * day + 7200, "Total cost by product");
  }
  u.ask(monday_9am + 5 * day, "Revenue by channel");
  u.ask(monday_9am + 5 * day + 7200, "Units by channel");
  auto req = at(monday_9am + 7 * day);
  req.excluded_metrics = {"cost"};
  req.preferred_metrics = {"units"};
  auto got = rank_questions(u.history, {}, req, sales_index());
  BOOST_TEST_REQUIRE(!got.empty());
  for (auto& r : got)
    BOOST_TEST(r.text.find("cost") == std::string::npos, r.text);
  BOOST_TEST(got.front().text == "Units by channel");
}

BOOST_AUTO_TEST_CASE(what_was_typed_filters_and_newer_habits_outrank_faded_ones) {
  user_log u;
  auto start = monday_9am;
  for (int d = 0; d < 10; ++d)
    u.ask(start + d * day, "Revenue by region");     // an old habit, daily in January
  for (int d = 40; d < 46; ++d)
    u.ask(start + d * day, "Revenue by channel");    // the new one, six times lately
  auto got = texts(rank_questions(u.history, {}, at(start + 47 * day, "rev", 6), sales_index()));
  BOOST_TEST_REQUIRE(got.size() == 2u);
  BOOST_TEST(got[0] == "Revenue by channel");
  BOOST_TEST(texts(rank_questions(u.history, {}, at(start + 47 * day, "units"), sales_index())).empty());
}

BOOST_AUTO_TEST_SUITE_END()

#include "core/experiment.hpp"

BOOST_AUTO_TEST_SUITE(experiment)

BOOST_AUTO_TEST_CASE(arms_are_parsed_strictly) {
  std::vector<experiment_arm> arms;
  std::string error;
  BOOST_TEST(parse_experiment("history:70,templates:30", arms, error));
  BOOST_TEST(arms.size() == 2u);
  BOOST_TEST(arms[1].weight == 30);
  BOOST_TEST(parse_experiment("", arms, error));
  BOOST_TEST(arms.empty());
  BOOST_TEST(!parse_experiment("history:50,llm:50", arms, error));
  BOOST_TEST(error.find("llm") != std::string::npos);
  BOOST_TEST(!parse_experiment("history:0,templates:1", arms, error));
  BOOST_TEST(!parse_experiment("history,history", arms, error));
  BOOST_TEST(!parse_experiment("history:x", arms, error));
}

BOOST_AUTO_TEST_CASE(each_user_keeps_one_arm_and_arms_get_their_share) {
  std::vector<experiment_arm> arms;
  std::string error;
  BOOST_REQUIRE(parse_experiment("history:3,templates:1", arms, error));
  int history = 0;
  for (int i = 0; i < 4000; ++i) {
    auto user = "user" + std::to_string(i);
    auto& arm = arm_for(arms, user);
    BOOST_TEST(arm == arm_for(arms, user));
    history += arm == "history";
  }
  BOOST_TEST(history > 2800); // 3000 expected
  BOOST_TEST(history < 3200);
}

BOOST_AUTO_TEST_SUITE_END()
