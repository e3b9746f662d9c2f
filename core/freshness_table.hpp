// freshness_table: values read from storage, kept for a while by key, as a state machine. A value
// is fresh for about `fresh_ms` (jittered, so that keys stored together do not all expire
// together), then stale but still usable until `max_stale_ms` while one read refreshes it behind
// the request that found it stale. Pure: time is the caller's `now` (ms), jitter the caller's
// random number; the caller does the reading and calls `store` or `read_failed`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

namespace foresight {

template <class Value>
class freshness_table {
public:
  struct policy {
    std::int64_t fresh_ms = 2000;      ///< about this long fresh (from half to one and a half)
    std::int64_t max_stale_ms = 20000; ///< usable this long after the read, refreshed meanwhile
    std::size_t max_keys = 10000;      ///< a table this full is emptied (keys are users, roles)
  };

  /// What `use` found.
  struct found {
    const Value* value = nullptr; ///< usable now; null: read it and wait for the read
    bool refresh = false;         ///< stale: start one read behind this request (marked reading)
  };

  explicit freshness_table(policy p) : policy_(p) {}

  /// The value for `key` if it is usable at `now`. A stale value asks for one refresh at a time;
  /// a missing or expired one is marked reading (the caller reads it and waits).
  found use(const std::string& key, std::int64_t now) {
    auto& e = entries_[key];
    found f;
    if (e.has_value && now < e.usable_until) {
      f.value = &e.value;
      f.refresh = now >= e.fresh_until && !e.reading;
    }
    if (!f.value || f.refresh)
      e.reading = true;
    return f;
  }

  /// The value for `key` only while it is fresh (no stale serving, no read marked).
  const Value* fresh(const std::string& key, std::int64_t now) const {
    auto i = entries_.find(key);
    return i != entries_.end() && i->second.has_value && now < i->second.fresh_until
             ? &i->second.value : nullptr;
  }

  /// A read for `key` finished at `now` with `value`; `jitter` is any random number.
  const Value& store(const std::string& key, Value value, std::int64_t now, std::uint32_t jitter) {
    if (entries_.size() >= policy_.max_keys && !entries_.count(key))
      entries_.clear();
    auto& e = entries_[key];
    e.fresh_until = now + policy_.fresh_ms / 2 +
                    static_cast<std::int64_t>(jitter % static_cast<std::uint32_t>(policy_.fresh_ms + 1));
    e.usable_until = now + policy_.max_stale_ms;
    e.reading = false;
    e.has_value = true;
    e.value = std::move(value);
    return e.value;
  }

  /// A read for `key` failed: the next `use` of a stale value may try again.
  void read_failed(const std::string& key) {
    if (auto i = entries_.find(key); i != entries_.end())
      i->second.reading = false;
  }

  bool reading(const std::string& key) const {
    auto i = entries_.find(key);
    return i != entries_.end() && i->second.reading;
  }

  std::size_t size() const { return entries_.size(); }

private:
  struct entry {
    std::int64_t fresh_until = 0;
    std::int64_t usable_until = 0;
    bool reading = false;
    bool has_value = false;
    Value value{};
  };
  policy policy_;
  std::unordered_map<std::string, entry> entries_;
};

} // namespace foresight
