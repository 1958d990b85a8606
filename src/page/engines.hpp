// The page's layout and plot engines (engines.cpp): JavaScript functions of the page, called
// synchronously from the session.
#pragma once

namespace mgrad::page {

/// Lays pictures out and draws plots with the page's functions from now on.
void use_page_engines();

}  // namespace mgrad::page
