// LabelTable — the names of a graph's nodes (`a`, `L`, `c#2`), kept by NodeId.
//
// Labels are almost always set in creation order, on the node just made, so they are kept in a
// vector sorted by id with their characters in a chunked arena: setting one is an append and a
// copy, finding one a binary search, and a graph of a million labelled nodes costs about 16 bytes
// plus the characters per label instead of a hash-map node and a string each. A label set on an
// older node that has none goes to a small ordered map, so no pattern of calls is quadratic.
//
// A view returned by find(id) stays valid until that node's label is set again or clear().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mgrad/support/detail/pod_array.hpp"
#include "mgrad/support/export.hpp"

namespace mgrad::detail {

class MGRAD_API LabelTable {
  public:
    /// The label of node `id`, or an empty view when it has none.
    [[nodiscard]] std::string_view find(std::uint32_t id) const noexcept;
    /// The ids that have a label, in ascending order: in proportion to the labels' number.
    [[nodiscard]] std::vector<std::uint32_t> ids() const;
    /// Sets the label of node `id`; an empty label removes it.
    void set(std::uint32_t id, std::string_view label);
    /// Forgets the labels of nodes `size` and above.
    void truncate(std::uint32_t size);
    /// Forgets every label, keeping the memory for the next graph.
    void clear() noexcept;

  private:
    struct Entry {
        std::uint32_t id;
        std::uint32_t length;  ///< 0: the label was removed
        char* text;            ///< in m_chunks
    };
    struct Chunk {
        std::unique_ptr<char[]> bytes;
        std::size_t size;
    };
    [[nodiscard]] const Entry* find_entry(std::uint32_t id) const noexcept;
    char* store(std::string_view label);

    PodArray<Entry> m_entries;  ///< sorted by id
    std::map<std::uint32_t, std::string> m_out_of_order;
    std::vector<Chunk> m_chunks;
    std::size_t m_chunk = 0;  ///< the chunk being filled
    std::size_t m_used = 0;   ///< bytes used in it
};

}  // namespace mgrad::detail
