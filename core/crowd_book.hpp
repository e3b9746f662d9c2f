// What other people ask, for the ranker's cold start and "users like you also asked": per
// connection and role (and for everyone), the questions by masked shape with their distinct
// askers, the follow-ups that come after each template in a session, and each user's shapes to
// find similar users by. Pure; one `crowd` actor holds it, fed every committed question.
//
// Privacy: a question reaches another user only once `min_users` distinct users asked its shape
// (the same rule as role and global patterns), so no colleague's one-off words are shown.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/question_history.hpp"

namespace foresight {

/// A question other users ask, as offered to one user.
struct crowd_question {
  std::string text;          ///< the shape's latest wording
  std::string normalised;    ///< normalise_text(text)
  std::string shape;
  std::string template_text;
  double weight = 0;          ///< how often (follow-ups: after the template asked for)
  std::int32_t users = 0;     ///< distinct askers
  std::uint32_t carry = 0;    ///< follow-ups: slot kinds (slot_bit) usually carried over
};

inline bool operator==(const crowd_question& a, const crowd_question& b) {
  return a.text == b.text && a.normalised == b.normalised && a.shape == b.shape &&
         a.template_text == b.template_text &&
         a.weight == b.weight && a.users == b.users && a.carry == b.carry;
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, crowd_question& x) {
  return f(x.text, x.normalised, x.shape, x.template_text, x.weight, x.users, x.carry);
}

/// What the crowd offers one user at one moment, each list best first.
struct crowd_view {
  std::vector<crowd_question> role;      ///< the role's common questions
  std::vector<crowd_question> global;    ///< everyone's
  std::vector<crowd_question> similar;   ///< asked by users whose questions resemble theirs
  std::vector<crowd_question> followups; ///< the role's follow-ups after the given template
  double role_total = 0, global_total = 0, similar_total = 0, followup_total = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, crowd_view& x) {
  return f(x.role, x.global, x.similar, x.followups, x.role_total, x.global_total,
           x.similar_total, x.followup_total);
}

/// What a view is asked for while `partial` is typed: the first word's first three letters, so
/// that one view serves the keystrokes of a word (the ranker matches the rest).
std::string crowd_key_of(const std::string& partial);

/// Questions closer together than this belong to one session.
constexpr std::int64_t session_gap_seconds = 30 * 60;

class crowd_book {
public:
  explicit crowd_book(int min_users) : min_users_(min_users < 1 ? 1 : min_users) {}

  /// One committed question of `user` in `role` (described with its connection's catalog).
  void add(const std::string& user, const std::string& role, asked_question q);

  /// What `user` of `role` may be offered on `connection_id`, right after a question of
  /// template `previous_template` (empty: none), at most `per_list` per list. The role's and
  /// everyone's lists start with the questions whose first word starts with `typed_word` (the
  /// first word typed so far, lower case), then the most common ones.
  crowd_view view(const std::string& user, const std::string& role,
                  const std::string& connection_id, const std::string& previous_template,
                  const std::string& typed_word, std::size_t per_list) const;

  /// Re-ranks the scopes that changed (their common questions), so that views stay cheap; views
  /// use the ranking of the last refresh. The crowd actor refreshes every second.
  void refresh();


private:
  struct shape_entry {
    std::string text, normalised, template_text;
    double count = 0;
    std::unordered_set<std::string> users;
  };
  struct followup_entry {
    std::string text, normalised, template_text;
    double count = 0;
    std::unordered_set<std::string> users;
    double carried[slot_kinds] = {}; ///< times each kind was carried over
    double comparable[slot_kinds] = {}; ///< times both questions had that kind
  };
  struct scope {
    std::unordered_map<std::string, shape_entry> shapes;
    double total = 0;
    /// previous template -> next shape
    std::unordered_map<std::string, std::unordered_map<std::string, followup_entry>> followups;
    /// The shapes enough users asked, most asked first, and the same by first word; rebuilt
    /// by refresh().
    using ranked_list = std::vector<const std::pair<const std::string, shape_entry>*>;
    ranked_list ranked;
    std::map<std::string, ranked_list> by_first_word;
    bool dirty = true;
  };
  struct asked_shape {
    double count = 0;
    std::uint32_t role_epoch = 0; ///< the user's role_epoch when they last asked it
  };
  struct user_entry {
    std::string role;
    std::uint32_t role_epoch = 0; ///< counts the changes of role
    std::size_t questions = 0;
    asked_question last; ///< on the connection of `last.connection_id`
    /// By connection, then shape.
    std::unordered_map<std::string, std::unordered_map<std::string, asked_shape>> shapes;
  };

  scope& scope_of(const std::string& connection_id, const std::string& role);
  const scope* find_scope(const std::string& connection_id, const std::string& role) const;
  void rank(scope& s) const;
  void top(const scope& s, const std::string& typed_word, std::size_t n,
           std::vector<crowd_question>& out) const;

  int min_users_;
  std::size_t questions_ = 0;
  std::unordered_map<std::string, scope> scopes_; ///< connection '\n' role ('' for everyone)
  std::unordered_map<std::string, user_entry> users_;
  /// Similar users' questions by user and connection, as of a number of questions.
  struct similar_list {
    std::size_t user_questions = 0, book_questions = 0;
    std::vector<crowd_question> list;
    double total = 0;
  };
  mutable std::unordered_map<std::string, similar_list> similar_;
};

} // namespace foresight
