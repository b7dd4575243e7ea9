/* program_serve.c: can an allocator serve a whole program (program_serve.h)?
 *
 * A preloaded library is asked through its ELF dynamic symbol table (.dynsym), read from the
 * file: dlopen-ing a malloc replacement into the orchestrator to find out would run its
 * constructors in our process, which keeps glibc's malloc by design (child.c).
 */
#include "harness/orchestrator/program_serve.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The section headers of a mapped ELF64 file, or NULL when it is not one or they lie outside
 * it. */
static const Elf64_Shdr *section_headers(const unsigned char *p, size_t size, size_t *count)
{
    if (size < sizeof(Elf64_Ehdr) || memcmp(p, ELFMAG, SELFMAG) != 0 || p[EI_CLASS] != ELFCLASS64)
        return NULL;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p;
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
        (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum)
        return NULL;
    *count = eh->e_shnum;
    return (const Elf64_Shdr *)(p + eh->e_shoff);
}

static int defines_in(const unsigned char *p, size_t size, const char *name)
{
    size_t n;
    const Elf64_Shdr *sh = section_headers(p, size, &n);
    if (!sh)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= n)
            continue;
        const Elf64_Shdr *str = &sh[sh[i].sh_link];
        if (sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset ||
            str->sh_offset > size || str->sh_size > size - str->sh_offset)
            return -1;
        const Elf64_Sym *sym = (const Elf64_Sym *)(p + sh[i].sh_offset);
        const char *names = (const char *)(p + str->sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
            unsigned type = ELF64_ST_TYPE(sym[k].st_info), bind = ELF64_ST_BIND(sym[k].st_info);
            if (sym[k].st_shndx == SHN_UNDEF || sym[k].st_name >= str->sh_size ||
                (type != STT_FUNC && type != STT_GNU_IFUNC) ||
                (bind != STB_GLOBAL && bind != STB_WEAK))
                continue;
            const char *s = names + sym[k].st_name;
            if (strnlen(s, str->sh_size - sym[k].st_name) == strlen(name) && !strcmp(s, name))
                return 1;
        }
    }
    return 0;
}

int ab_elf_defines(const char *path, const char *name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    int rc = -1;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            rc = defines_in(p, (size_t)st.st_size, name);
            munmap(p, (size_t)st.st_size);
        }
    }
    close(fd);
    return rc;
}

const char *ab_program_not_applicable(const ab_alloc_choice *c, char *why, size_t len)
{
    if (!c->lib[0]) {
        if (!strcmp(c->backend, "malloc"))
            return NULL;
        snprintf(why, len,
                 "%s is one of alignbench's own allocators behind the runner's interface, not a "
                 "malloc replacement: a whole program's malloc would still be glibc's",
                 c->backend);
        return why;
    }
    int d = ab_elf_defines(c->lib, "malloc");
    if (d == 1)
        return NULL;
    if (d == 0)
        snprintf(why, len,
                 "its library %.200s does not define malloc (it provides only alignbench's "
                 "plug-in table), so it cannot serve a whole program",
                 c->lib);
    else
        snprintf(why, len, "its library %.200s cannot be read as a 64-bit ELF shared object",
                 c->lib);
    return why;
}
