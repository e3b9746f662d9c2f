// Tests for save_schedule: each pattern shard ticks on a phase of its own, and the shards' full
// saves (every count, six indexes per row) fall at different moments, however late ticks come.
#include "core/save_schedule.hpp"

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <cstdlib>
#include <vector>

using namespace foresight;
using ms = std::chrono::milliseconds;

namespace {

const auto t0 = save_schedule::clock::time_point{} + std::chrono::hours(1);

/// The moments (ms after t0) at which `shard` of `shards` starts full saves during `run`, its
/// ticks arriving up to 9 ms late.
std::vector<long> full_saves(int shard, int shards, ms tick, ms full_every, ms run) {
  save_schedule s{tick, full_every, shard, shards, t0};
  std::vector<long> out;
  auto now = t0 + s.first_tick();
  for (int late = 0; now - t0 < run; late = (late + 7) % 10) {
    if (s.full_due(now)) {
      s.full_started(now);
      out.push_back(std::chrono::duration_cast<ms>(now - t0).count());
    }
    now += s.until_next_tick(now) + ms(late);
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(save_schedules)

BOOST_AUTO_TEST_CASE(each_shard_ticks_on_a_phase_of_its_own_however_late_a_tick_came) {
  std::vector<long> first;
  for (int shard = 0; shard < 4; ++shard)
    first.push_back(save_schedule{ms(1000), ms(5000), shard, 4, t0}.first_tick().count());
  BOOST_TEST(first == (std::vector<long>{1000, 1250, 1500, 1750}),
             boost::test_tools::per_element());
  save_schedule s{ms(1000), ms(5000), 2, 4, t0};
  BOOST_TEST(s.until_next_tick(t0 + ms(1500)).count() == 1000);
  BOOST_TEST(s.until_next_tick(t0 + ms(1537)).count() == 963, "a late tick keeps the phase");
  BOOST_TEST(s.until_next_tick(t0 + ms(3900)).count() == 600, "a save longer than a tick too");
}

BOOST_AUTO_TEST_CASE(full_saves_of_four_shards_never_fall_together) {
  std::vector<long> all;
  for (int shard = 0; shard < 4; ++shard) {
    auto saves = full_saves(shard, 4, ms(1000), ms(5000), ms(60000));
    BOOST_TEST(saves.size() >= 11u, "shard " << shard << ": a full save every 5 s");
    for (std::size_t i = 1; i < saves.size(); ++i)
      BOOST_TEST(std::abs(saves[i] - saves[i - 1] - 5000) < 10,
                 "shard " << shard << " at " << saves[i]);
    all.insert(all.end(), saves.begin(), saves.end());
  }
  std::sort(all.begin(), all.end());
  for (std::size_t i = 1; i < all.size(); ++i)
    BOOST_TEST(all[i] - all[i - 1] >= 500, "full saves at " << all[i - 1] << " and " << all[i]);
}

BOOST_AUTO_TEST_CASE(a_full_period_no_longer_than_a_tick_saves_everything_at_every_tick) {
  auto saves = full_saves(1, 4, ms(50), ms(50), ms(1000));
  BOOST_TEST(saves.size() >= 19u);
  BOOST_TEST(saves.front() == 62, "the first tick: one tick and a quarter after the start");
}

BOOST_AUTO_TEST_SUITE_END()
