// describe_commands: every command's spec as JSON, for the front ends that are not C++ (the
// Python package, the notebook's completion and inspection, the page).
#include <nlohmann/json.hpp>

#include "mgrad/language/command_spec.hpp"
#include "mgrad/language/session.hpp"

namespace mgrad {

namespace {

using Json = nlohmann::ordered_json;

Json describe_option(const OptionSpec& o) {
    Json j{{"key", o.key},
           {"kind", value_kind_name(o.kind)},
           {"value_name", o.takes_value() ? Json(o.value_name) : Json(nullptr)},
           {"help", o.help},
           {"expected", o.takes_value() ? Json(describe_value(o)) : Json(nullptr)},
           {"repeatable", o.repeatable},
           {"value_optional", o.value_optional},
           {"listed", !o.help.empty()}};
    if (o.kind == ValueKind::Whole || o.kind == ValueKind::Number) {
        const bool bounded = o.low != 0.0 || o.high != 0.0;
        j["low"] = bounded ? Json(o.low) : Json(nullptr);
        j["high"] = bounded ? Json(o.high) : Json(nullptr);
    }
    if (o.kind == ValueKind::Choice)
        j["choices"] = Json(std::vector<std::string>(o.choices.begin(), o.choices.end()));
    if (o.kind == ValueKind::File)
        j["extensions"] = Json(std::vector<std::string>(o.choices.begin(), o.choices.end()));
    return j;
}

Json describe_arg(const ArgSpec& a) {
    Json j{{"name", a.name},
           {"kind", arg_kind_name(a.kind)},
           {"help", a.help},
           {"optional", a.optional},
           {"repeated", a.repeated}};
    if (a.kind == ArgKind::Number || a.kind == ArgKind::Whole) {
        const bool bounded = a.low != 0.0 || a.high != 0.0;
        j["low"] = bounded ? Json(a.low) : Json(nullptr);
        j["high"] = bounded ? Json(a.high) : Json(nullptr);
        j["positive"] = a.positive;
    }
    if (a.kind == ArgKind::Choice || a.kind == ArgKind::Directory) j["choices"] = a.choices;
    if (a.kind == ArgKind::File) {
        j["extensions"] = a.choices;
        j["strict"] = a.strict_extension;
    }
    if (!a.option.empty()) j["option"] = a.option;
    return j;
}

}  // namespace

std::string describe_commands(const Session& session) {
    Json commands = Json::array();
    for (const Command* c : session.commands()) {
        Json j{{"name", c->name}, {"usage", c->usage}, {"summary", c->summary}};
        Json args = Json::array(), options = Json::array();
        Json aliases = Json::array();
        if (c->spec) {
            for (const ArgSpec& a : c->spec->args)
                args.push_back(describe_arg(a));
            for (const OptionSpec& o : c->spec->options)
                options.push_back(describe_option(o));
            aliases = c->spec->aliases;
        }
        j["aliases"] = std::move(aliases);
        j["checked"] = c->spec.has_value();
        j["args"] = std::move(args);
        j["options"] = std::move(options);
        commands.push_back(std::move(j));
    }
    return Json{{"commands", std::move(commands)}}.dump(-1, ' ', false,
                                                        Json::error_handler_t::replace);
}

}  // namespace mgrad
