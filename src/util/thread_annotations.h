// Thread-safety annotations, after LevelDB's port/thread_annotations.h: they say which
// mutex guards a member (GUARDED_BY) and which a function must or must not hold
// (REQUIRES, EXCLUDES). Clang's -Wthread-safety checks them where the mutex type is a
// declared capability (libc++'s std::mutex is; libstdc++'s is not); on GCC they compile to
// nothing and are documentation that reads like code. The ThreadSanitizer build
// (scripts/test.sh, SLUICE_SANITIZE=thread) checks the same rules at run time.
#pragma once

#if defined(__clang__)
#define SLUICE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SLUICE_THREAD_ANNOTATION(x)
#endif

// The member is read and written only with mutex x held.
#ifndef GUARDED_BY
#define GUARDED_BY(x) SLUICE_THREAD_ANNOTATION(guarded_by(x))
#endif

// What the pointer points to is read and written only with mutex x held.
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) SLUICE_THREAD_ANNOTATION(pt_guarded_by(x))
#endif

// The caller must hold these mutexes.
#ifndef REQUIRES
#define REQUIRES(...) SLUICE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#endif

// The caller must not hold these mutexes (the function takes them).
#ifndef EXCLUDES
#define EXCLUDES(...) SLUICE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#endif

// Mutex a is always taken before mutex b when both are held.
#ifndef ACQUIRED_BEFORE
#define ACQUIRED_BEFORE(...) SLUICE_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#endif
