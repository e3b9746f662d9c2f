// Typed behaviors that forward every message of an interface to a child picked per message, so
// that a router's handle has its children's interface and the compiler checks every request:
// the pool side of a role whose work is done by interchangeable children (the storage workers),
// and a router whose messages name their child by a key (`(for_user_atom, user_id, request)` to
// a session registry shard).
#pragma once
#include <caf/all.hpp>
#include <type_traits>
#include <utility>

namespace foresight {

namespace detail {

/// How a forwarding handler takes an input: values by reference, so that they move on from the
/// received message instead of being copied out of it first; atoms, which carry no data, by value.
template <class T>
using forwarded_arg = std::conditional_t<caf::is_atom_constant<T>::value, T, T&>;

template <class Signature>
struct forward_signature;

template <class... In, class... Out>
struct forward_signature<caf::typed_mpi<caf::detail::type_list<In...>, caf::output_tuple<Out...>>> {
  /// A handler for one signature: delegates to `pick()`, or answers `unavailable()` when it
  /// gives a null handle.
  template <class Self, class Pick, class Unavailable>
  static auto handler(Self* self, Pick pick, Unavailable unavailable) {
    return [=](forwarded_arg<In>... xs) -> caf::result<Out...> {
      auto dest = pick();
      if (!dest)
        return unavailable();
      return self->delegate(dest, std::move(xs)...);
    };
  }
};

template <class Tag, class Key, class Signature>
struct forward_keyed_signature;

template <class Tag, class Key, class... In, class... Out>
struct forward_keyed_signature<Tag, Key,
                               caf::typed_mpi<caf::detail::type_list<In...>, caf::output_tuple<Out...>>> {
  /// A handler for `(Tag, key, Signature's inputs...)`: delegates the inputs to `pick(key)`, a
  /// caf::expected of the child's handle (its error is the answer).
  template <class Self, class Pick>
  static auto handler(Self* self, Pick pick) {
    return [=](Tag, Key& key, forwarded_arg<In>... xs) -> caf::result<Out...> {
      auto dest = pick(key);
      if (!dest)
        return std::move(dest.error());
      return self->delegate(*dest, std::move(xs)...);
    };
  }
};

template <class Interface, class Tag, class Key, class Self, class Pick, class... Signatures,
          class... Own>
typename Interface::behavior_type forward_keyed_each(Self* self, Pick pick,
                                                     caf::detail::type_list<Signatures...>,
                                                     Own... own) {
  return {forward_keyed_signature<Tag, Key, Signatures>::handler(self, pick)..., std::move(own)...};
}

template <class Interface, class Self, class Pick, class Unavailable, class... Signatures>
typename Interface::behavior_type forward_each(Self* self, Pick pick, Unavailable unavailable,
                                               caf::detail::type_list<Signatures...>) {
  return {forward_signature<Signatures>::handler(self, pick, unavailable)...};
}

} // namespace detail

/// `Signature` (a `replies_to` or `reacts_to`) behind `Prefix...`.
template <class Signature, class... Prefix>
struct prefixed_signature;

template <class... In, class... Out, class... Prefix>
struct prefixed_signature<caf::typed_mpi<caf::detail::type_list<In...>, caf::output_tuple<Out...>>,
                          Prefix...> {
  using type = caf::typed_mpi<caf::detail::type_list<Prefix..., In...>, caf::output_tuple<Out...>>;
};

/// A router's interface: every message of `Inner` behind `(Tag, Key)`, and its own `Own...`.
template <class Tag, class Key, class Inner, class... Own>
struct keyed_router_interface;

template <class Tag, class Key, class... Signatures, class... Own>
struct keyed_router_interface<Tag, Key, caf::typed_actor<Signatures...>, Own...> {
  using type = caf::typed_actor<typename prefixed_signature<Signatures, Tag, Key>::type..., Own...>;
};

/// The behavior of a router for `Interface`: each message goes to `pick()` (an `Interface`
/// handle), which answers the requester directly; a null pick answers `unavailable()` (a
/// caf::error).
template <class Interface, class Self, class Pick, class Unavailable>
typename Interface::behavior_type forward_every_message(Self* self, Pick pick,
                                                        Unavailable unavailable) {
  return detail::forward_each<Interface>(self, std::move(pick), std::move(unavailable),
                                         typename Interface::signatures{});
}

/// The behavior of a keyed router for `Interface` (a keyed_router_interface over `Inner`): each
/// `(Tag, key, message of Inner)` goes to `pick(key)` (a caf::expected of an `Inner` handle),
/// which answers the requester directly; `own...` handle the router's own messages.
template <class Interface, class Tag, class Key, class Inner, class Self, class Pick, class... Own>
typename Interface::behavior_type forward_keyed_messages(Self* self, Pick pick, Own... own) {
  return detail::forward_keyed_each<Interface, Tag, Key>(
    self, std::move(pick), typename Inner::signatures{}, std::move(own)...);
}

} // namespace foresight
