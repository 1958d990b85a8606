// JSON-lines output for `mgrad --json`: one JSON object per line on standard output, so tools
// can read a script's results without parsing tables.
//
//   {"type":"result","expression":"a*b","label":"a*b","data":-6,"grad":0}
//   {"type":"result","expression":"a.data","data":2}
//   {"type":"text","text":"node  data  grad\n…"}
//
// Numbers are JSON numbers that read back to the same double; NaN and infinities, which JSON
// cannot hold, are the strings "nan", "inf" and "-inf". Diagnostics stay plain text on
// standard error, as without --json.
#pragma once

#include <ostream>
#include <string_view>

#include <mgrad/language/output.hpp>

namespace mgrad::cli {

class JsonOutput : public Output {
  public:
    JsonOutput(std::ostream& out, std::ostream& err) : m_out(out), m_err(err) {}
    void text(std::string_view text) override;
    void diagnostic(Severity severity, std::string_view formatted) override;
    void result(const Result& r) override;

  private:
    std::ostream& m_out;
    std::ostream& m_err;
};

}  // namespace mgrad::cli
