/* record_stress.c: a program for the recorder test to record: 4 threads allocate, reallocate
 * and free at full speed, and hand blocks to each other through a shared mailbox, so that an
 * address is freed by one thread and handed out again to another all the time. A recorder that
 * recorded a free after the memory went back to malloc, or a realloc outside its lock, would
 * write an alloc of an address still live in the trace, and the trace would fail validation
 * (or count implicit frees, which the test also checks are zero).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 100000
#define MAILBOX 64

static void *mailbox[MAILBOX];
static pthread_mutex_t mailbox_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
    uint64_t x = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
    void *mine[16] = {0};
    for (int i = 0; i < ROUNDS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        unsigned k = x % 16;
        switch ((x >> 8) % 4) {
        case 0:
            free(mine[k]);
            mine[k] = malloc(1 + (x >> 16) % 2000);
            break;
        case 1:
            mine[k] = realloc(mine[k], 1 + (x >> 16) % 5000);
            break;
        case 2: { /* swap one block with the mailbox: it is freed by another thread */
            pthread_mutex_lock(&mailbox_lock);
            void *t = mailbox[x % MAILBOX];
            mailbox[x % MAILBOX] = mine[k];
            pthread_mutex_unlock(&mailbox_lock);
            mine[k] = t;
            break;
        }
        case 3:
            free(mine[k]);
            if (posix_memalign(&mine[k], 64, 1 + (x >> 16) % 300) != 0)
                mine[k] = NULL;
            break;
        }
    }
    for (int k = 0; k < 16; k++)
        free(mine[k]);
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(i + 1)) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < MAILBOX; i++)
        free(mailbox[i]);
    printf("done\n");
    return 0;
}
