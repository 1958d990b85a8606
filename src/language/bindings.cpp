// Session bindings: the names bound to nodes (the name index behind them), constants, reset.
#include "session_impl.hpp"

#include <sys/mman.h>  // madvise

#include <fmt/format.h>
#include <iterator>
#include <new>

#include "builtins.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/support/suggest.hpp"

namespace mgrad {

using detail::is_builtin_function;

namespace detail {

std::uint32_t NameIndex::hash_of(std::string_view name) noexcept {
    // FNV-1a: names are short, and this beats std::hash's general-purpose mixing for them.
    std::uint32_t h = 2166136261u;
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

std::uint32_t NameIndex::find(std::string_view name,
                              const std::deque<std::string>& names) const noexcept {
    if (m_slots.empty()) return npos;
    const std::uint32_t h = hash_of(name);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        const Slot& slot = m_slots[i];
        if (slot.position == npos) return npos;
        if (slot.hash == h && names[slot.position] == name) return slot.position;
    }
}

void NameIndex::insert(std::string_view name, std::uint32_t position) {
    if (2 * (m_count + 1) > m_slots.size()) grow();
    const std::uint32_t h = hash_of(name);
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = h & mask;
    while (m_slots[i].position != npos)
        i = (i + 1) & mask;
    m_slots[i] = Slot{h, position};
    ++m_count;
}

template <class T>
T* HugePageAllocator<T>::allocate(std::size_t n) {
    constexpr std::size_t huge = std::size_t{2} << 20u;
    const std::size_t bytes = n * sizeof(T);
    if (bytes < huge) {
        void* p = std::malloc(bytes);
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    const std::size_t rounded = (bytes + huge - 1) / huge * huge;
    void* p = std::aligned_alloc(huge, rounded);
    if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    // Advice only: where transparent huge pages are off, the table simply gets small pages.
    (void)::madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
}

void NameIndex::grow() {
    std::vector<Slot, HugePageAllocator<Slot>> old(m_slots.empty() ? 64 : 2 * m_slots.size());
    old.swap(m_slots);
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& slot : old) {
        if (slot.position == npos) continue;
        std::size_t i = slot.hash & mask;
        while (m_slots[i].position != npos)
            i = (i + 1) & mask;
        m_slots[i] = slot;
    }
}

void NameIndex::clear() noexcept {
    m_slots.clear();
    m_count = 0;
}

}  // namespace detail

std::optional<NodeId> Session::Impl::lookup(std::string_view name) const {
    const std::uint32_t position = m_name_index.find(name, m_order);
    if (position == detail::NameIndex::npos) return std::nullopt;
    return m_bindings[position].node;
}

NodeId Session::Impl::require(std::string_view name, std::optional<SourceSpan> span) const {
    if (auto id = lookup(name)) return *id;
    std::string message;
    if (const auto k = constant(name))
        message = fmt::format(
            "'{}' is a constant ({}), not a node: it has no .data, .grad or "
            "gradient",
            name, format_number(*k));
    else if (is_builtin_function(name) || find_function(name) || m_user_functions.contains(name))
        message = fmt::format("'{}' is a function, not a node; call it as {}(…)", name, name);
    else if (m_order.empty())
        message =
            fmt::format("undefined name '{}' (nothing is defined yet; try '{} = 2')", name, name);
    else
        message = fmt::format(
            "undefined name '{}'{}", name,
            did_you_mean(name, std::vector<std::string>(m_order.begin(), m_order.end())));
    if (span) throw Error(message, *span);
    throw Error(message);
}

void Session::Impl::bind(std::string_view name, NodeId id) {
    m_graph.check_id(id);
    std::uint32_t position = m_name_index.find(name, m_order);
    if (position == detail::NameIndex::npos) {
        if (m_order.size() >= detail::NameIndex::npos) throw Error("too many names");
        position = static_cast<std::uint32_t>(m_order.size());
        m_order.emplace_back(name);
        try {
            m_bindings.push_back(Binding{});
            m_name_index.insert(name, position);
        } catch (...) {  // out of memory: leave the three in step
            if (m_bindings.size() == m_order.size()) m_bindings.pop_back();
            m_order.pop_back();
            throw;
        }
    }
    Binding& binding = m_bindings[position];
    if (m_graph.label(id).empty()) {
        const std::uint32_t version = ++binding.version;
        if (version == 1) {
            m_graph.set_label(id, name);
        } else {
            fmt::memory_buffer label;  // on the stack: no allocation for a usual name
            fmt::format_to(std::back_inserter(label), "{}#{}", name, version);
            m_graph.set_label(id, std::string_view(label.data(), label.size()));
        }
    }
    binding.node = id;
}

void Session::Impl::reset() {
    m_graph.clear();
    m_more.reset();
    m_grad_nodes.clear();
    m_grads_known = false;
    m_bindings.clear();
    m_order.clear();
    m_name_index.clear();
    m_origins.clear();
    m_transcript.clear();
    m_constants.clear();
    m_constant_index.clear();
    m_user_functions.clear();
}

}  // namespace mgrad
