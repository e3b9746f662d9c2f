// What an asynchronous port answers: a value or the error that replaced it, through a callback.
#pragma once
#include <functional>

#include "core/errors.hpp"

namespace foresight {

/// A value or the error that replaced it.
template <class T>
struct outcome {
  T value;
  api_error error;
};

template <class T>
using callback = std::function<void(outcome<T>)>;

} // namespace foresight
