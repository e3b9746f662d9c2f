// A typed behavior that forwards every message of an interface to a child picked per message:
// the pool side of a role whose work is done by interchangeable children (the storage workers),
// so that the pool's handle has the children's interface and the compiler checks every request.
#pragma once
#include <caf/all.hpp>
#include <utility>

namespace foresight {

namespace detail {

template <class Signature>
struct forward_signature;

template <class... In, class... Out>
struct forward_signature<caf::typed_mpi<caf::detail::type_list<In...>, caf::output_tuple<Out...>>> {
  /// A handler for one signature: delegates to `pick()`, or answers `unavailable()` when it
  /// gives a null handle.
  template <class Self, class Pick, class Unavailable>
  static auto handler(Self* self, Pick pick, Unavailable unavailable) {
    return [=](In... xs) -> caf::result<Out...> {
      auto dest = pick();
      if (!dest)
        return unavailable();
      return self->delegate(dest, std::move(xs)...);
    };
  }
};

template <class Interface, class Self, class Pick, class Unavailable, class... Signatures>
typename Interface::behavior_type forward_each(Self* self, Pick pick, Unavailable unavailable,
                                               caf::detail::type_list<Signatures...>) {
  return {forward_signature<Signatures>::handler(self, pick, unavailable)...};
}

} // namespace detail

/// The behavior of a router for `Interface`: each message goes to `pick()` (an `Interface`
/// handle), which answers the requester directly; a null pick answers `unavailable()` (a
/// caf::error).
template <class Interface, class Self, class Pick, class Unavailable>
typename Interface::behavior_type forward_every_message(Self* self, Pick pick,
                                                        Unavailable unavailable) {
  return detail::forward_each<Interface>(self, std::move(pick), std::move(unavailable),
                                         typename Interface::signatures{});
}

} // namespace foresight
