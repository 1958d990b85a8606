// Session user functions and constants: `f(x) = 3*x**2`, `const h = 0.001`.
#include "session_impl.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "builtins.hpp"
#include "mgrad/support/number.hpp"
#include "mgrad/support/suggest.hpp"

namespace mgrad {

using detail::builtin_arity;
using detail::is_builtin_function;

std::vector<const UserFunction*> Session::Impl::user_functions() const {
    // Callees first (depth first over the calls; definitions never form a cycle).
    std::vector<const UserFunction*> out;
    std::vector<std::string_view> done;
    auto visit = [&](auto&& self_, const FunctionDef& f) -> void {
        if (std::find(done.begin(), done.end(), f.info.name) != done.end()) return;
        done.push_back(f.info.name);
        for (const auto& callee : f.info.calls)
            if (const auto it = m_user_functions.find(callee); it != m_user_functions.end())
                self_(self_, *it->second);
        out.push_back(&f.info);
    };
    for (const auto& [name, f] : m_user_functions)
        visit(visit, *f);
    return out;
}

bool Session::Impl::returns_node(const FunctionDef& f) const {
    if (f.uses_globals) return true;
    for (const auto& callee : f.info.calls)
        if (const auto it = m_user_functions.find(callee);
            it != m_user_functions.end() && returns_node(*it->second))
            return true;
    return false;
}

bool Session::Impl::calls(const FunctionDef& f, std::string_view name,
                          std::vector<std::string>& path) const {
    for (const auto& callee : f.info.calls) {
        if (callee == name) {
            path.push_back(callee);
            return true;
        }
        const auto it = m_user_functions.find(callee);
        if (it == m_user_functions.end()) continue;
        path.push_back(callee);
        if (calls(*it->second, name, path)) return true;
        path.pop_back();
    }
    return false;
}

Operand Session::Impl::call_user(const FunctionDef& f, std::span<const Operand> args,
                                 const Expr& call, const Frame& frame) {
    if (interrupted()) throw Error("interrupted", call.span);
    // Definitions cannot recurse; this only bounds a long chain of functions calling others.
    constexpr std::size_t max_call_depth = 256;
    if (m_call_depth >= max_call_depth)
        throw Error(
            fmt::format("defined functions call each other more than {} deep", max_call_depth),
            call.span);
    struct Depth {
        Impl& impl;
        bool outermost;
        Depth(Impl& i, const SourceSpan& span) : impl(i), outermost(i.m_call_depth == 0) {
            ++impl.m_call_depth;
            if (outermost) impl.m_call_span = span;
        }
        Depth(const Depth&) = delete;
        Depth& operator=(const Depth&) = delete;
        ~Depth() {
            --impl.m_call_depth;
            if (outermost) impl.m_call_span.reset();
        }
    } depth{*this, call.span};
    const Locals locals{f.info.params, args};
    try {
        return evaluate(f.body, frame, &locals);
    } catch (const Error& e) {
        if (!depth.outermost) throw;
        throw Error(fmt::format("in {}(): {}", f.info.name, e.what()), call.span);
    }
}

void Session::Impl::check_name_free(std::string_view name, const SourceSpan& span,
                                    bool for_constant, bool for_function) const {
    if (name == "const")
        throw Error("'const' is a keyword: 'const NAME = NUMBER' binds a constant", span);
    if (is_builtin_function(name) || find_function(name))
        throw Error(fmt::format("cannot define '{}': it is the name of a built-in function", name),
                    span);
    const std::string_view what = for_constant ? "a constant" : "a function";
    if (lookup(name))
        throw Error(fmt::format("'{}' is bound to a node; {} needs a name of its own", name, what),
                    span);
    if (for_function && constant(name))
        throw Error(fmt::format("'{}' is a constant; a function needs a name of its own", name),
                    span);
    if (for_constant && m_user_functions.contains(name))
        throw Error(fmt::format("'{}' is a function; a constant needs a name of its own", name),
                    span);
}

void Session::Impl::define_constant(const Statement& s, const Frame& frame) {
    check_name_free(s.target, s.target_span, true, false);
    // Checked before anything is built: a constant is a plain number, never a node.
    std::vector<Operand> scratch(s.exprs.size());
    check_names(s, scratch, nullptr);
    if (m_is_node[s.root])
        throw Error(fmt::format("a constant is a plain number, but this is a node (x.data is a "
                                "node's number; '{} = …' without 'const' binds a node)",
                                s.target),
                    s.exprs[s.root].span);
    const double value = std::get<double>(evaluate(s, frame));
    NamedConstant k{std::string(s.target), value, frame.name, s.span.line};
    if (const auto it = m_constant_index.find(s.target); it != m_constant_index.end()) {
        m_constants[it->second] = std::move(k);
        return;
    }
    m_constant_index.emplace(std::string(s.target), m_constants.size());
    m_constants.push_back(std::move(k));
}

void Session::Impl::define_function(const Statement& s, const Frame& frame) {
    const std::string_view name = s.target;
    check_name_free(name, s.target_span, false, true);
    auto def = std::make_unique<FunctionDef>();
    def->info.name = name;
    for (const Word& p : s.params) {
        if (is_builtin_function(p.text) || find_function(p.text))
            throw Error(fmt::format("parameter '{}' has the name of a built-in function", p.text),
                        p.span);
        def->info.params.push_back(p.text);
    }
    // The body is checked now, so that a mistake shows at the definition, not at a call.
    for (const Expr& e : s.exprs) {
        if (e.kind == ExprKind::Name) {
            if (std::find(def->info.params.begin(), def->info.params.end(), e.name) !=
                    def->info.params.end() ||
                constant(e.name))
                continue;
            if (!lookup(e.name)) {
                std::vector<std::string> known(def->info.params);
                known.insert(known.end(), m_order.begin(), m_order.end());
                std::string params;
                for (std::size_t i = 0; i < def->info.params.size(); ++i)
                    params += fmt::format("{}{}", i ? ", " : "", def->info.params[i]);
                throw Error(
                    fmt::format("undefined name '{}' in the body of {}(){}{}", e.name, name,
                                did_you_mean(e.name, known),
                                params.empty() ? std::string(" (it has no parameters)")
                                               : fmt::format(" (its parameters: {})", params)),
                    e.span);
            }
            def->uses_globals = true;
        } else if (e.kind == ExprKind::Call) {
            std::size_t arity = 0;
            if (is_builtin_function(e.name)) {
                arity = builtin_arity(e.name);
            } else if (e.name == name) {
                throw Error(fmt::format("{}() calls itself: a function cannot be recursive here "
                                        "(its call would never end); write the steps out",
                                        name),
                            e.op_span);
            } else if (const auto uf = m_user_functions.find(e.name);
                       uf != m_user_functions.end()) {
                arity = uf->second->info.params.size();
                std::vector<std::string> path;
                if (calls(*uf->second, name, path)) {
                    std::string chain = fmt::format("{} → {}", name, e.name);
                    for (const auto& step : path)
                        chain += fmt::format(" → {}", step);
                    throw Error(fmt::format("{}() would call itself ({}): a function cannot be "
                                            "recursive here",
                                            name, chain),
                                e.op_span);
                }
                if (std::find(def->info.calls.begin(), def->info.calls.end(), e.name) ==
                    def->info.calls.end())
                    def->info.calls.emplace_back(e.name);
            } else if (const Function* f = find_function(e.name)) {
                arity = f->arity;
                def->uses_globals = true;  // grad(f, x) and the like make nodes
            } else {
                unknown_function(e);
            }
            if (e.arg_count != arity)
                throw Error(fmt::format("{}() takes {} argument{}, not {}", e.name, arity,
                                        arity == 1 ? "" : "s", e.arg_count),
                            e.span);
        }
    }
    const SourceSpan body_span = s.exprs[s.root].span;
    def->text =
        std::make_unique<std::string>(frame.text.substr(body_span.offset, body_span.length));
    def->info.body = *def->text;
    def->info.source = frame.name;
    def->info.line = s.span.line;
    Parser parser(*def->text);
    Statement extra;
    if (!parser.next(def->body) || def->body.kind != StatementKind::Expression ||
        parser.next(extra))
        throw Error(fmt::format("the body of {}() must be one expression", name), body_span);
    m_user_functions.insert_or_assign(std::string(name), std::move(def));
}
}  // namespace mgrad
