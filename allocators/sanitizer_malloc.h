/* sanitizer_malloc.h: whether this build's malloc belongs to a sanitizer's runtime (ASan or
 * TSan), in which case no other malloc can be preloaded into the process. The allocators'
 * provider check, the orchestrator's allocator choice and the conformance checks all ask. */
#ifndef AB_SANITIZER_MALLOC_H
#define AB_SANITIZER_MALLOC_H

/* Built with AddressSanitizer? Then ASan's runtime owns malloc, and preloading another malloc
 * into the process is impossible. */
#if defined(__SANITIZE_ADDRESS__)
#define AB_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AB_SANITIZED 1
#endif
#endif
#ifndef AB_SANITIZED
#define AB_SANITIZED 0
#endif
/* Built with ThreadSanitizer (run-tests.sh's third build, threaded tests only)? Its runtime owns
 * malloc too. AB_SANITIZER_MALLOC: some sanitizer's allocator serves malloc, not glibc's. */
#if defined(__SANITIZE_THREAD__)
#define AB_TSANITIZED 1
#else
#define AB_TSANITIZED 0
#endif
#define AB_SANITIZER_MALLOC (AB_SANITIZED || AB_TSANITIZED)

#endif
