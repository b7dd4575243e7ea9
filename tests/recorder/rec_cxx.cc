// rec_cxx.cc: a C++ program for recorder.sh to record: one call of each operator new and delete
// form the recorder interposes (distinct sizes 2001.. so the test finds them in the trace), and a
// failing operator new, which must still throw std::bad_alloc through the recorder.
#include <cstdint>
#include <cstdio>
#include <new>

int main()
{
    void *a = operator new(2001);
    operator delete(a); // unsized: DELETE
    void *b = operator new[](2002);
    operator delete[](b, 2002); // sized: FREE_SIZED
    void *c = operator new(2003, std::align_val_t(64));
    operator delete(c, 2003, std::align_val_t(64)); // sized + aligned: FREE_ALIGNED_SIZED
    void *d = operator new(2004, std::nothrow);
    operator delete(d, std::nothrow); // DELETE
    void *e = operator new[](2005, std::align_val_t(128));
    operator delete[](e, std::align_val_t(128)); // unsized aligned: DELETE
    try {
        volatile size_t huge = SIZE_MAX / 2;
        void *f = operator new(huge);
        std::printf("no bad_alloc (%p)\n", f);
        return 1;
    } catch (const std::bad_alloc &) {
        std::printf("bad_alloc\n");
    }
    void *g = operator new(SIZE_MAX / 2, std::nothrow);
    std::printf("nothrow %s\n", g ? "non-null" : "null");
    return 0;
}
