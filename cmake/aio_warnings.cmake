# Warnings are PRIVATE to aio's own targets: consumers choose their own.
function(aio_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(AIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Sanitizers apply to everything built in this tree (library, tests, examples).
if(AIO_SANITIZE)
  add_compile_options(-fsanitize=${AIO_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AIO_SANITIZE})
endif()
