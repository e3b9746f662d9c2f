// One user's questions as they asked them, newest last: what the ranker learns habits, session
// follow-ups and weekly rhythm from. Pure; the user's session actor keeps one and feeds it every
// activity the user logs (and rows imported for them).
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/generaliser.hpp"
#include "core/patterns.hpp"
#include "core/question_slots.hpp"

namespace foresight {

/// A question as asked, with what the ranker derives from it once.
struct asked_question {
  std::int64_t id = 0;
  std::int64_t at = 0; ///< seconds since the epoch
  std::string connection_id;
  std::string text;          ///< as typed
  std::string normalised;    ///< normalise_text(text): what typing is matched against
  std::string shape;         ///< masked_shape(text)
  std::string template_text; ///< generalise(text).template_text
  std::string type;          ///< a suggestion type
  std::vector<std::string> metrics; ///< catalog metric names it names
  std::vector<std::string> dimensions;
  std::vector<slot_span> slots;
  bool success = true;
  int rating = 0; ///< the latest 1-5 rating of it, 0: none
};

/// A committed query as the ranker sees it (false for other activities or an empty text).
bool to_asked_question(const learned_activity& a, const catalog_index& index, asked_question& out);

/// Builds an asked_question's derived fields from its text with the connection's catalog.
asked_question describe_question(std::int64_t id, std::int64_t at, std::string connection_id,
                                 std::string text, bool success, const catalog_index& index);

class question_history {
public:
  explicit question_history(std::size_t capacity = 1500) : capacity_(capacity) {}

  /// Adds a question; ignored if its id is already known. Questions normally arrive in id
  /// order; an older one (an import) is placed by time.
  void add(asked_question q);
  /// A click on a suggestion: credits the shape the next time it is asked, and from then on.
  void click(const std::string& shape) {
    clicks_[shape] += 1;
    ++version_;
  }
  /// A rating of the question with this id.
  void rate(std::int64_t activity_id, int rating);
  /// Re-derives the fields of the questions on one connection (its catalog changed).
  void redescribe(const std::string& connection_id, const catalog_index& index);

  const std::deque<asked_question>& questions() const { return questions_; }
  int clicks(const std::string& shape) const {
    auto i = clicks_.find(shape);
    return i == clicks_.end() ? 0 : i->second;
  }
  bool knows(std::int64_t id) const;
  /// Changes whenever anything above may have (rankings made before are stale).
  std::uint64_t version() const { return version_; }

private:
  std::uint64_t version_ = 0;
  std::size_t capacity_;
  std::deque<asked_question> questions_; ///< by time, oldest first
  std::unordered_map<std::string, int> clicks_;
  std::unordered_map<std::int64_t, int> pending_ratings_; ///< ratings that came before their question
};

} // namespace foresight
