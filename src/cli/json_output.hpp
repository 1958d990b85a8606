// JSON-lines output for `mgrad --json`: one JSON object per line on standard output, so tools
// can read a script's results, tables and diagnostics without parsing text.
//
//   {"type":"result","expression":"a*b","label":"a*b","data":-6,"grad":0}
//   {"type":"result","expression":"a.data","data":2}
//   {"type":"table","columns":["node","data","grad"],"rows":[["a",2,-3],["L",-6,1]]}
//   {"type":"progress","command":"minimize","step":5,"total":50,"name":"M","value":0.43}
//   {"type":"diagnostic","severity":"error","file":"x.mg","line":3,"column":9,"message":"…"}
//   {"type":"text","text":"saved 4 statements to s.mg\n"}
//
// Numbers are JSON numbers that read back to the same double; NaN and infinities, which JSON
// cannot hold, are the strings "nan", "inf" and "-inf". Everything goes to standard output,
// diagnostics included; the schema is in docs/language.md.
#pragma once

#include <ostream>
#include <string_view>

#include <mgrad/language/output.hpp>

namespace mgrad::cli {

class JsonOutput : public Output {
  public:
    explicit JsonOutput(std::ostream& out) : m_out(out) {}
    void text(std::string_view text) override;
    void diagnostic(Severity severity, std::string_view formatted) override;
    void result(const Result& r) override;
    void report(const Diagnostic& d) override;
    void table(const Table& t) override;
    void progress(const Progress& p) override;

  private:
    std::ostream& m_out;
};

}  // namespace mgrad::cli
