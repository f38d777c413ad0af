# Warnings are PRIVATE to aio's own targets: consumers choose their own.
function(aio_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  # g++ 12 at -O2/-O3 reports impossible overlaps and sizes inside std::string's own copies (GCC PR
  # 105329 and its family, fixed in 13): false positives in libstdc++'s code, not ours.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow -Wno-stringop-overread
                                             -Wno-array-bounds)
  endif()
  if(AIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Sanitizers apply to everything built in this tree (library, tests, examples).
if(AIO_SANITIZE)
  add_compile_options(-fsanitize=${AIO_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AIO_SANITIZE})
  # clang 14's UBSan `function` check (indirect calls through a mistyped function pointer) emits
  # prologue data that its assembler cannot place in some coroutines' split functions ("Cannot
  # represent a difference across sections"); every other UBSan check stays on. C++ only: the C parts
  # (llhttp) are built by the default C compiler, which may be gcc.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND AIO_SANITIZE MATCHES "undefined")
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize=function>)
  endif()
endif()
