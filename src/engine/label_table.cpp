// LabelTable: sorted entries, an arena for the characters, a map for labels set out of order.
#include "mgrad/engine/detail/label_table.hpp"

#include <algorithm>
#include <cstring>

#include "mgrad/support/error.hpp"

namespace mgrad::detail {

namespace {
constexpr std::size_t chunk_size = std::size_t{64} << 10u;
}

const LabelTable::Entry* LabelTable::find_entry(std::uint32_t id) const noexcept {
    if (m_entries.empty()) return nullptr;
    // The node just made is the one usually asked about: check the end before searching.
    if (m_entries.back().id == id) return &m_entries.back();
    if (m_entries.back().id < id) return nullptr;
    const auto it = std::lower_bound(m_entries.begin(), m_entries.end(), id,
                                     [](const Entry& e, std::uint32_t key) { return e.id < key; });
    return it != m_entries.end() && it->id == id ? &*it : nullptr;
}

std::string_view LabelTable::find(std::uint32_t id) const noexcept {
    if (const Entry* e = find_entry(id)) return {e->text, e->length};
    if (m_out_of_order.empty()) return {};
    const auto it = m_out_of_order.find(id);
    return it == m_out_of_order.end() ? std::string_view{} : std::string_view{it->second};
}

std::vector<std::uint32_t> LabelTable::ids() const {
    std::vector<std::uint32_t> out;
    out.reserve(m_entries.size() + m_out_of_order.size());
    for (const Entry& e : m_entries)
        if (e.length > 0) out.push_back(e.id);
    if (m_out_of_order.empty()) return out;
    // Two sorted runs with no id in common.
    const auto middle = static_cast<std::ptrdiff_t>(out.size());
    for (const auto& [id, label] : m_out_of_order)
        out.push_back(id);
    std::inplace_merge(out.begin(), out.begin() + middle, out.end());
    return out;
}

char* LabelTable::store(std::string_view label) {
    while (m_chunk < m_chunks.size() && m_chunks[m_chunk].size - m_used < label.size()) {
        ++m_chunk;  // the rest of a full chunk is left unused
        m_used = 0;
    }
    if (m_chunk == m_chunks.size()) {
        const std::size_t size = std::max(chunk_size, label.size());
        // new char[] leaves the bytes uninitialised (libc++ 14 lacks make_unique_for_overwrite).
        m_chunks.push_back(Chunk{std::unique_ptr<char[]>(new char[size]), size});
        m_used = 0;
    }
    char* text = m_chunks[m_chunk].bytes.get() + m_used;
    std::memcpy(text, label.data(), label.size());
    m_used += label.size();
    return text;
}

void LabelTable::set(std::uint32_t id, std::string_view label) {
    if (label.size() > 0xFFFFFFFFu) throw Error("a label is limited to 4 GiB");
    const auto length = static_cast<std::uint32_t>(label.size());
    if (m_entries.empty() || m_entries.back().id < id) {
        // A newer node than any labelled so far (never in m_out_of_order, which only holds ids
        // below an entry's).
        if (label.empty()) return;
        m_entries.push_back(Entry{id, length, store(label)});
        return;
    }
    if (const Entry* found = find_entry(id)) {
        Entry& e = m_entries[static_cast<std::size_t>(found - m_entries.begin())];
        if (length <= e.length) {
            // A label no longer than the one it replaces reuses its bytes. A longer one leaves
            // them unused until clear(): relabelling is rare next to labelling.
            if (length > 0) std::memmove(e.text, label.data(), length);
        } else {
            e.text = store(label);
        }
        e.length = length;
        return;
    }
    if (label.empty())
        m_out_of_order.erase(id);
    else
        m_out_of_order.insert_or_assign(id, std::string(label));
}

void LabelTable::truncate(std::uint32_t size) {
    // Their characters stay in the arena until clear(): undoing a statement is rare.
    while (!m_entries.empty() && m_entries.back().id >= size)
        m_entries.pop_back();
    m_out_of_order.erase(m_out_of_order.lower_bound(size), m_out_of_order.end());
}

void LabelTable::clear() noexcept {
    m_entries.clear();
    m_out_of_order.clear();
    m_chunk = 0;
    m_used = 0;
}

}  // namespace mgrad::detail
