// cxx_objects.cc: a C++ program's allocations: new/delete of small objects, std::string and
// std::map.
//
// `cxx_objects [WORK]` (default 150): builds a std::map from std::string keys (each longer than
// the small-string buffer, so it allocates) to small heap objects made with new, looks keys up,
// erases and reinserts a share of them, and deletes everything, WORK times over. Every node of
// the map, every key and every object is a separate small allocation through operator new,
// which calls malloc. Prints a checksum. About 0.3 s at the default here.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

namespace
{

struct Item {
    std::uint64_t id;
    double weight;
    Item *link;
};

std::uint64_t next(std::uint64_t &s)
{
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1DULL;
}

} // namespace

int main(int argc, char **argv)
{
    unsigned long work = 150;
    if (argc > 1) {
        char *end;
        work = std::strtoul(argv[1], &end, 10);
        if (*end || work == 0) {
            std::fprintf(stderr, "%s: the work size must be a positive whole number, not '%s'\n",
                         argv[0], argv[1]);
            return 2;
        }
    }
    std::uint64_t seed = 99, sum = 0;
    for (unsigned long round = 0; round < work; round++) {
        std::map<std::string, Item *> m;
        for (int i = 0; i < 4000; i++) {
            std::string key = "object-key-number-" + std::to_string(next(seed) % 100000);
            Item *it = new Item{static_cast<std::uint64_t>(i), i * 0.5, nullptr};
            auto [pos, fresh] = m.emplace(std::move(key), it);
            if (!fresh) {
                it->link = pos->second;
                pos->second = it;
            }
        }
        for (int i = 0; i < 2000; i++) {
            std::string key = "object-key-number-" + std::to_string(next(seed) % 100000);
            auto pos = m.find(key);
            if (pos == m.end())
                continue;
            sum += pos->second->id;
            for (Item *p = pos->second; p;) {
                Item *n = p->link;
                delete p;
                p = n;
            }
            m.erase(pos);
        }
        for (auto &[key, it] : m) {
            sum += key.size();
            for (Item *p = it; p;) {
                Item *n = p->link;
                delete p;
                p = n;
            }
        }
    }
    std::printf("cxx_objects: checksum %llu\n", static_cast<unsigned long long>(sum));
    return 0;
}
