#include "core/question_shape.hpp"

#include <vector>

#include "core/ascii.hpp"

namespace foresight {

bool is_month_word(std::string_view w) {
  static const char* const names[] = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec"};
  for (auto n : names)
    if (w == n)
      return true;
  return false;
}

bool is_year_word(std::string_view w) {
  if (w.size() != 4 || !(w.substr(0, 2) == "19" || w.substr(0, 2) == "20"))
    return false;
  for (char c : w)
    if (!is_ascii_digit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool is_number_word(std::string_view w) {
  bool digit = false;
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto c = static_cast<unsigned char>(w[i]);
    if (is_ascii_digit(c))
      digit = true;
    else if (c == '.' || c == ',' || c == '-' || c == '/' || c == ':' ||
             (i == 0 && (c == '$' || c == '+')) ||
             (i + 1 == w.size() && digit && (c == '%' || c == 'k' || c == 'm' || c == 'b')))
      continue;
    else
      return false;
  }
  return digit;
}

bool is_quarter_word(std::string_view w) {
  return w.size() == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4';
}

namespace {

bool is_ordinal_word(std::string_view w) {
  return w == "first" || w == "second" || w == "third" || w == "fourth" || w == "1st" ||
         w == "2nd" || w == "3rd" || w == "4th";
}

} // namespace

std::string masked_shape(std::string_view text) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_ascii_space(c)) {
      if (!w.empty())
        words.push_back(std::move(w)), w.clear();
    } else {
      w.push_back(ascii_lower(c));
    }
  }
  if (!w.empty())
    words.push_back(std::move(w));
  // Trailing ?.! (and a space before them) do not make another question.
  while (!words.empty()) {
    auto& last = words.back();
    while (!last.empty() && (last.back() == '?' || last.back() == '.' || last.back() == '!'))
      last.pop_back();
    if (!last.empty())
      break;
    words.pop_back();
  }
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    // A word's trailing comma or colon is kept apart from what it masks ("2024," -> "{year},").
    std::string_view word = words[i];
    std::string_view tail;
    if (word.size() > 1 && (word.back() == ',' || word.back() == ':' || word.back() == ';')) {
      tail = word.substr(word.size() - 1);
      word.remove_suffix(1);
    }
    std::string piece;
    if (is_year_word(word))
      piece = "{year}";
    else if (is_quarter_word(word))
      piece = "{quarter}";
    else if (is_ordinal_word(word) && i + 1 < words.size() &&
             (words[i + 1] == "quarter" || words[i + 1] == "qtr")) {
      piece = "{quarter}";
      ++i;
    } else if (is_month_word(word))
      piece = "{month}";
    else if (is_number_word(word))
      piece = "{n}";
    else
      piece = std::string(word);
    if (!out.empty())
      out.push_back(' ');
    out += piece;
    out += tail;
  }
  return out;
}

std::string first_word(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && is_ascii_space(static_cast<unsigned char>(text[i])))
    ++i;
  for (; i < text.size() && !is_ascii_space(static_cast<unsigned char>(text[i])); ++i)
    out.push_back(ascii_lower(static_cast<unsigned char>(text[i])));
  return out;
}

} // namespace foresight
