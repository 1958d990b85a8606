// The name index behind a Session's bindings: open addressing over the list of bound names, on
// huge pages when large. Internal to the language layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace mgrad {

namespace detail {

/// Memory for a large table read at random: from 2 MiB up, 2 MiB aligned and marked for
/// transparent huge pages (Linux), so that a lookup in a table of a million names is one cache
/// miss and not also a TLB miss (perf showed the prefetch of a new name's slot stalling on it).
template <class T>
struct HugePageAllocator {
    using value_type = T;
    HugePageAllocator() = default;
    template <class U>
    explicit HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
    T* allocate(std::size_t n);
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }
    friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

/// An index from a name to its position in a list of names kept elsewhere (open addressing,
/// linear probing). Why not std::unordered_map<std::string, …>: a generated script binds a
/// million names, and a node-based map costs a heap node per name, a string per lookup, slow
/// rehashes and a long destructor. Here a lookup hashes a string_view and compares against the
/// list, and the whole index is one array of 8-byte slots.
class NameIndex {
  public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    /// The position of `name` in `names`, or npos.
    [[nodiscard]] std::uint32_t find(std::string_view name,
                                     const std::deque<std::string>& names) const noexcept;
    /// Starts loading the slot where `name` would be, so a lookup soon after does not wait for
    /// memory (a new name's slot is nowhere in the cache).
    void prefetch(std::string_view name) const noexcept {
        if (!m_slots.empty()) __builtin_prefetch(&m_slots[hash_of(name) & (m_slots.size() - 1)]);
    }
    /// Records that `names[position]` is `name` (which must not be in the index yet).
    void insert(std::string_view name, std::uint32_t position);
    void clear() noexcept;

  private:
    struct Slot {
        std::uint32_t hash = 0;
        std::uint32_t position = npos;  ///< npos: empty
    };
    [[nodiscard]] static std::uint32_t hash_of(std::string_view name) noexcept;
    void grow();

    std::vector<Slot, HugePageAllocator<Slot>> m_slots;  ///< a power of two long, half full
    std::size_t m_count = 0;
};

}  // namespace detail

}  // namespace mgrad
