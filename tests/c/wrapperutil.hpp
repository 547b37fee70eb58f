// Helpers shared by the C++ wrapper tests (after pixcodec.hpp and testutil.h).
#ifndef PIXCODEC_TESTS_WRAPPERUTIL_HPP
#define PIXCODEC_TESTS_WRAPPERUTIL_HPP

#include "pixcodec.hpp"

// The status a call throws as pixcodec::Error, or PXC_STATUS_OK when it returns.
template <class F> static pxc_status status_of(F f) {
    try {
        f();
    } catch (const pixcodec::Error &e) {
        return e.status();
    }
    return PXC_STATUS_OK;
}

#endif
