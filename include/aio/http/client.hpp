#pragma once
/// @file client.hpp
/// The HTTP client (aiohttp's `ClientSession`): `#include <aio/http/client.hpp>`.

#include "aio/http/client/client_errors.hpp"
#include "aio/http/client/client_response.hpp"
#include "aio/http/client/client_session.hpp"
#include "aio/http/client/client_timeout.hpp"
#include "aio/http/client/cookie_jar.hpp"
#include "aio/http/client/request_options.hpp"
