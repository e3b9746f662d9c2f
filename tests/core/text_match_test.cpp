#include "core/cache_key.hpp"
#include "core/text_match.hpp"

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

using namespace foresight;

BOOST_AUTO_TEST_SUITE(text_match)

BOOST_AUTO_TEST_CASE(normalisation_keeps_words_and_numbers) {
  BOOST_TEST(normalise_text("  Show me PROFIT, by region? ") == "show me profit by region");
  BOOST_TEST(normalise_text("margin > 1.5 in 2024-01") == "margin 1.5 in 2024-01");
  BOOST_TEST(normalise_text("profit.") == "profit");
  BOOST_TEST(normalise_text("") == "");
  BOOST_TEST(normalise_text("🚀 revenue") == "🚀 revenue");
}

BOOST_AUTO_TEST_CASE(typed_words_match_loosely) {
  BOOST_TEST(word_matches("prof", "profit", true));
  BOOST_TEST(word_matches("p", "profit", true));
  BOOST_TEST(!word_matches("p", "profit", false));
  BOOST_TEST(word_matches("profits", "profit", false));
  BOOST_TEST(word_matches("region", "regions", false));
  BOOST_TEST(word_matches("reveune", "revenue", false)); // transposition
  BOOST_TEST(word_matches("proft", "profit", false));    // deletion
  BOOST_TEST(word_matches("porfi", "profit", true));     // typo while typing
  BOOST_TEST(!word_matches("cost", "profit", true));
  BOOST_TEST(!word_matches("by", "my", false)); // short words must be exact
}

BOOST_AUTO_TEST_CASE(edit_distance_stops_at_the_limit) {
  BOOST_TEST(edit_distance("kitten", "sitting", 5) == 3);
  BOOST_TEST(edit_distance("kitten", "sitting", 1) == 2);
  BOOST_TEST(edit_distance("ab", "ba", 2) == 1);
}

// The one-pass answer for "at most one edit?" must agree with the full table, on words one and
// two edits apart in every way (substitution, insertion, deletion, transposition, at every place).
BOOST_AUTO_TEST_CASE(the_one_edit_shortcut_agrees_with_the_full_table) {
  std::vector<std::string> words = {"", "a", "ab", "ba", "profit", "revenue", "aabb", "abab"};
  auto edits_of = [](const std::string& w) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i <= w.size(); ++i) {
      out.push_back(w.substr(0, i) + "x" + w.substr(i));
      if (i < w.size()) {
        out.push_back(w.substr(0, i) + w.substr(i + 1));
        out.push_back(w.substr(0, i) + "y" + w.substr(i + 1));
      }
      if (i + 1 < w.size())
        out.push_back(w.substr(0, i) + w[i + 1] + w[i] + w.substr(i + 2));
    }
    return out;
  };
  std::size_t n = words.size();
  for (std::size_t i = 0; i < n; ++i)
    for (auto& e : edits_of(words[i])) {
      words.push_back(e);
      for (auto& e2 : edits_of(e))
        words.push_back(e2);
    }
  int checked = 0;
  for (std::size_t i = 0; i < words.size(); i += 7)
    for (std::size_t j = 0; j < words.size(); j += 5) {
      auto full = edit_distance(words[i], words[j], 8);
      BOOST_TEST_REQUIRE(edit_distance(words[i], words[j], 1) == std::min(full, 2),
                         words[i] << " / " << words[j]);
      ++checked;
    }
  BOOST_TEST(checked > 10000);
}

// Matching a kept set of candidates at once gives each candidate partial_matcher's answer.
BOOST_AUTO_TEST_CASE(a_candidate_set_matches_as_one_by_one) {
  std::vector<std::string> candidates = {
    "show me profit by region", "top 10 products by revenue", "compare revenue across regions",
    "profit margin over the last 12 months", "show me revenue", "revenue", "", "total volume",
    "average order value per customer the last 12 months", "rank sales channel by profit"};
  candidate_set set;
  for (auto& c : candidates)
    set.add(normalise_text(c));
  int compared = 0;
  for (std::string partial : {"", "show", "show me prof", "top 10 prod", "compare revenue acr",
                              "porfit", "revenues by", "the", "zzz", "profit margin ov",
                              "show me the revenue"}) {
    auto p = normalise_text(partial);
    partial_matcher one_by_one(p);
    std::vector<foresight::text_match> all;
    set.match_all(one_by_one, all);
    BOOST_TEST_REQUIRE(all.size() == candidates.size());
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      auto m = one_by_one.match(normalise_text(candidates[i]));
      BOOST_TEST(all[i].matched == m.matched, partial << " / " << candidates[i]);
      BOOST_TEST(all[i].prefix == m.prefix, partial << " / " << candidates[i]);
      BOOST_TEST(all[i].words == m.words, partial << " / " << candidates[i]);
      ++compared;
    }
  }
  BOOST_TEST(compared == 110);
}

BOOST_AUTO_TEST_CASE(a_partial_query_matches_by_prefix_and_by_words) {
  auto m = match_partial("show me prof", "Show me profit by region");
  BOOST_TEST(m.matched);
  BOOST_TEST(m.prefix);
  m = match_partial("show me profit", "Top 10 products by profit margin");
  BOOST_TEST(m.matched); // "show" and "me" are filler
  BOOST_TEST(!m.prefix);
  BOOST_TEST(!match_partial("revenue", "Top 10 products by profit").matched);
  BOOST_TEST(match_partial("", "anything").matched);
  BOOST_TEST(match_partial("reveune by regoin", "Revenue by region").matched);
}

BOOST_AUTO_TEST_CASE(context_hashes_are_md5_hex_and_separate_every_input) {
  BOOST_TEST(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  suggestion_context_key k{"analyst001", "analyst", "Show me  profit", "sales", 0, 6, 1};
  auto h = context_hash(k);
  BOOST_TEST(h.size() == 32u);
  auto same = k;
  same.partial_query = "show me profit"; // normalised alike
  BOOST_TEST(context_hash(same) == h);
  for (int field = 0; field < 6; ++field) {
    auto other = k;
    switch (field) {
      case 0: other.user_id = "analyst002"; break;
      case 1: other.role = "trader"; break;
      case 2: other.connection_id = "hr"; break;
      case 3: other.preferences_version = 1; break;
      case 4: other.count = 7; break;
      case 5: other.catalog_version = 2; break;
    }
    BOOST_TEST(context_hash(other) != h, "field " << field);
  }
  // Field boundaries cannot shift: ("ab","c") and ("a","bc") differ.
  suggestion_context_key a{"ab", "c", "", "", 0, 6, 0}, b{"a", "bc", "", "", 0, 6, 0};
  BOOST_TEST(context_hash(a) != context_hash(b));
}

BOOST_AUTO_TEST_SUITE_END()
