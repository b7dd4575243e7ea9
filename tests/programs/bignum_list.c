/* bignum_list.c: many 9..32-byte blocks, single-threaded: big numbers as linked lists of limbs.
 *
 * `bignum_list [WORK]` (default 300): computes Fibonacci numbers F(k) for k up to WORK * 100, each
 * a singly linked list of 32-bit limbs, one node per limb. A node is a next pointer and a limb
 * (12 bytes), allocated with 0..20 bytes more, so requests spread over 12..32 bytes like a
 * bignum or tree library's small nodes; every addition allocates a new list and frees the
 * oldest. Prints the number of limbs of the last value. About 0.3 s at the default here.
 */
#include "prog_common.h"

typedef struct limb {
    struct limb *next;
    uint32_t v;
} limb;

static uint64_t seed = 7;

static limb *node(uint32_t v)
{
    limb *n = malloc(12 + prog_rand(&seed) % 21);
    if (!n)
        abort();
    n->next = NULL;
    n->v = v;
    return n;
}

static void release(limb *a)
{
    while (a) {
        limb *next = a->next;
        free(a);
        a = next;
    }
}

/* a + b, least significant limb first. */
static limb *add(const limb *a, const limb *b)
{
    limb *head = NULL, **tail = &head;
    uint64_t carry = 0;
    while (a || b || carry) {
        uint64_t s = carry + (a ? a->v : 0) + (b ? b->v : 0);
        *tail = node((uint32_t)s);
        tail = &(*tail)->next;
        carry = s >> 32;
        a = a ? a->next : NULL;
        b = b ? b->next : NULL;
    }
    return head;
}

int main(int argc, char **argv)
{
    unsigned long n = prog_work(argc, argv, 300) * 100;
    limb *a = node(0), *b = node(1);
    for (unsigned long k = 1; k < n; k++) {
        limb *c = add(a, b);
        release(a);
        a = b;
        b = c;
    }
    size_t limbs = 0;
    for (const limb *p = b; p; p = p->next)
        limbs++;
    printf("bignum_list: F(%lu) has %zu limbs\n", n, limbs);
    release(a);
    release(b);
    return 0;
}
