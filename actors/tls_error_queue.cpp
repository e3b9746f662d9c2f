// OpenSSL asks for an empty error queue before every TLS I/O call: SSL_get_error reports what
// is queued, not only what the call just did. CAF 0.17's TLS sessions (libcaf_openssl) never
// clear it, and drain it only when CAF's logging is compiled in (Debian's is not). So a failed
// handshake with a node holding the wrong certificate left its error behind on the middleman's
// thread, and the next SSL_read of a healthy link there read as a failure: the link dropped and
// both ends saw each other lost (the cluster suite's TLS case showed it at every attempt).
//
// These definitions, linked into the executables that run the cluster, take the place of
// libssl's for every caller in the process (the dynamic linker binds to the executable's first):
// each clears the calling thread's queue, then calls libssl's own.
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static auto f = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static auto f = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_connect(SSL* ssl) {
  static auto f = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return f(ssl);
}

int SSL_accept(SSL* ssl) {
  static auto f = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return f(ssl);
}

} // extern "C"
